import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roadDistanceKm } from '../../domain/geo.js';
import { expectProblem, registerAndLogin } from '../api/support.js';
import { startNominatimStub, startOsrmStub, startPhotonStub, type GeoStub } from '../support/geo-stubs.js';
import { call, deliveryBody, login, startTestApi, type Session, type TestApi } from '../support/harness.js';

const berlin = { lat: 52.52, lng: 13.405 };
const home = { label: 'Home', address: 'Kastanienallee 12, 10435 Berlin', lat: 52.5382, lng: 13.4096, contactName: 'Robin Home', contactPhone: '+49 30 555 0100' };

describe('address search and saved places with nothing configured', () => {
  let api: TestApi;
  let customer: Session;
  let other: Session;

  beforeAll(async () => {
    api = await startTestApi({ GEOCODE_PER_MINUTE: '8' });
    [customer, other] = await Promise.all([registerAndLogin(api.url, 'Robin Places'), registerAndLogin(api.url, 'Sam Elsewhere')]);
  });
  afterAll(() => api?.close());

  const search = (who: Session, q: string) => call(api.url, 'GET', `/api/v1/geocode?q=${encodeURIComponent(q)}&near=52.52,13.405`, { token: who.token });

  it('finds the demo city’s sample places by part of their address, and says no geocoder answered', async () => {
    const res = await search(customer, 'alexanderpl');
    expect(res.status).toBe(200);
    expect(res.body.geocoder).toBe('none');
    expect(res.body.items).toEqual([{ label: 'Alexanderplatz — Alexanderplatz 1, 10178 Berlin', lat: 52.5219, lng: 13.4132, source: 'sample' }]);
  });

  it('keeps an address book per owner: saved places come first in search, and nobody else sees or removes them', async () => {
    const saved = await call(api.url, 'POST', '/api/v1/places', { token: customer.token, body: home });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body).toMatchObject({ ...home, id: expect.any(String) });

    const found = await search(customer, 'kastanien');
    expect(found.body.items[0]).toMatchObject({ source: 'saved', label: 'Home — Kastanienallee 12, 10435 Berlin', contactName: 'Robin Home' });
    expect((await search(other, 'kastanien')).body.items).toEqual([]);
    expect((await call(api.url, 'GET', '/api/v1/places', { token: other.token })).body.items).toEqual([]);
    expectProblem(await call(api.url, 'DELETE', `/api/v1/places/${saved.body.id}`, { token: other.token }), 404, 'NOT_FOUND');

    expect((await call(api.url, 'GET', '/api/v1/places', { token: customer.token })).body.items.map((p: any) => p.id)).toEqual([saved.body.id]);
    expect((await call(api.url, 'DELETE', `/api/v1/places/${saved.body.id}`, { token: customer.token })).status).toBe(204);
    expect((await call(api.url, 'GET', '/api/v1/places', { token: customer.token })).body.items).toEqual([]);
  });

  it('refuses a place with unknown fields or control characters', async () => {
    expectProblem(await call(api.url, 'POST', '/api/v1/places', { token: customer.token, body: { ...home, label: 'Home\u0000' } }), 400);
    expectProblem(await call(api.url, 'POST', '/api/v1/places', { token: customer.token, body: { ...home, ownerUserId: other.user.id } }), 400);
  });

  it('offers the addresses of the customer’s recent deliveries', async () => {
    const body = deliveryBody(berlin);
    body.dropoff.address = 'Gneisenaustraße 7, 10961 Berlin';
    expect((await call(api.url, 'POST', '/api/v1/deliveries', { token: other.token, body })).status).toBe(201);
    const places = await call(api.url, 'GET', '/api/v1/places', { token: other.token });
    expect(places.body.recent.map((r: any) => r.address)).toEqual(expect.arrayContaining(['Gneisenaustraße 7, 10961 Berlin', body.pickup.address]));
    const found = await search(other, 'gneisenau');
    expect(found.body.items[0]).toMatchObject({ source: 'recent', label: 'Gneisenaustraße 7, 10961 Berlin', lat: body.dropoff.lat });
  });

  it('names a dropped pin after the nearest known place without a geocoder', async () => {
    const res = await call(api.url, 'GET', '/api/v1/geocode/reverse?lat=52.5222&lng=13.4135', { token: customer.token });
    expect(res.body).toEqual({ label: '40 m from Alexanderplatz 1, 10178 Berlin', source: 'pin', geocoder: 'none' });
  });

  it('is for signed-in users only, validates its query and is rate-limited per user', async () => {
    expectProblem(await call(api.url, 'GET', '/api/v1/geocode?q=alexander'), 401);
    expectProblem(await call(api.url, 'GET', '/api/v1/geocode?q=alexander&near=95,13', { token: customer.token }), 400);
    const fresh = await registerAndLogin(api.url, 'Fast Typer');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await search(fresh, `alex${i}`)).status);
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
  });

  it('tells the pages at run time that there are no tiles, geocoder or router', async () => {
    const res = await call(api.url, 'GET', '/api/v1/config');
    expect(res.body).toEqual({ map: { tileUrl: null, attribution: '', maxZoom: 19 }, geocoder: false, router: false });
  });

  it('quotes on the straight-line estimate, flagged on the quote, its price line and the timeline', async () => {
    const body = deliveryBody(berlin);
    const res = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body });
    expect(res.body.quote).toMatchObject({ estimated: true, distanceKm: roadDistanceKm(body.pickup, body.dropoff) });
    expect(res.body.quote.roadMinutes).toBeUndefined();
    expect(res.body.quote.breakdown.find((l: any) => l.code === 'distance').label).toContain('(estimated)');
    const full = await call(api.url, 'GET', `/api/v1/deliveries/${res.body.id}`, { token: customer.token });
    expect(full.body.timeline[0]).toMatchObject({ type: 'quoted', data: { quote: { estimated: true } } });
  });
});

describe('address search and quotes with a geocoder and a router', () => {
  let api: TestApi;
  let nominatim: GeoStub;
  let osrm: GeoStub;
  let customer: Session;

  beforeAll(async () => {
    [nominatim, osrm] = await Promise.all([startNominatimStub(), startOsrmStub()]);
    api = await startTestApi({
      GEOCODER_URL: nominatim.url,
      GEOCODER_MIN_INTERVAL_MS: '0',
      GEOCODER_USER_AGENT: 'lp-integration-test',
      ROUTER_URL: osrm.url,
      MAP_TILE_URL: 'http://tiles.test/{z}/{x}/{y}.png',
      MAP_ATTRIBUTION: '© Test tiles',
    });
    // An account of its own: the demo customer's recent places depend on what other files booked.
    customer = await registerAndLogin(api.url, 'Gerd Geocoder');
  });
  beforeEach(() => {
    nominatim.reset();
    osrm.reset();
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all([nominatim?.close(), osrm?.close()]);
  });

  const search = (q: string) => call(api.url, 'GET', `/api/v1/geocode?q=${encodeURIComponent(q)}&near=52.52,13.405`, { token: customer.token });

  it('asks the geocoder, identifies itself, and leaves the sample places out', async () => {
    const res = await search('torstraße 140');
    expect(res.body).toEqual({ geocoder: 'used', items: [{ label: 'Torstraße 140, Mitte, 10119 Berlin, Deutschland', lat: 52.5281, lng: 13.3985, source: 'geocoder' }] });
    expect(nominatim.requests[0]!.headers['user-agent']).toMatch(/^lp-integration-test \(\+http/);
    // The same search again is answered from Redis.
    await search('Torstraße 140');
    expect(nominatim.requests).toHaveLength(1);
  });

  it('falls back to known places when the geocoder fails, and says so', async () => {
    nominatim.failAll({ status: 503 });
    const res = await search('hauptbahnhof');
    expect(res.status).toBe(200);
    expect(res.body.geocoder).toBe('unavailable');
    expect(res.body.items).toEqual([expect.objectContaining({ source: 'sample', label: expect.stringContaining('Europaplatz 1') })]);
  });

  it('gives the pages their tiles at run time', async () => {
    const res = await call(api.url, 'GET', '/api/v1/config');
    expect(res.body).toEqual({ map: { tileUrl: 'http://tiles.test/{z}/{x}/{y}.png', attribution: '© Test tiles', maxZoom: 19 }, geocoder: true, router: true });
  });

  it('prices on the road distance from the router, and on the flagged estimate when it is down', async () => {
    const body = deliveryBody(berlin);
    const road = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body });
    expect(osrm.requests.map((r) => r.path)).toEqual([`/route/v1/driving/${body.pickup.lng.toFixed(4)},${body.pickup.lat.toFixed(4)};${body.dropoff.lng.toFixed(4)},${body.dropoff.lat.toFixed(4)}`]);
    // The stub's roads are 1.25 × the straight line; the estimate is 1.3 ×.
    const straight = roadDistanceKm(body.pickup, body.dropoff) / 1.3;
    expect(road.body.quote.estimated).toBe(false);
    expect(road.body.quote.distanceKm).toBeCloseTo(straight * 1.25, 1);
    expect(road.body.quote.roadMinutes).toBeGreaterThan(0);
    expect(road.body.quote.breakdown.find((l: any) => l.code === 'distance').label).not.toContain('estimated');

    // The road line for the tracking page and the driver's job: scoped for signed-in reads, public by tracking code.
    const line = await call(api.url, 'GET', `/api/v1/deliveries/${road.body.id}/route`, { token: customer.token });
    expect(line.body).toMatchObject({ estimated: false, distanceKm: road.body.quote.distanceKm });
    // The stub's line bends once; the router is asked with coordinates rounded to ~10 m.
    expect(line.body.points).toHaveLength(3);
    expect(line.body.points[0].lat).toBeCloseTo(body.pickup.lat, 4);
    expect(line.body.points[2].lng).toBeCloseTo(body.dropoff.lng, 4);
    const tracked = await call(api.url, 'GET', `/api/v1/track/${road.body.trackingCode.toLowerCase()}/route`);
    expect(tracked.body).toEqual(line.body);
    const stranger = await registerAndLogin(api.url, 'Nosy Neighbour');
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${road.body.id}/route`, { token: stranger.token }), 404);
    expectProblem(await call(api.url, 'GET', '/api/v1/track/0000000000000000/route'), 404);

    osrm.failAll({ status: 500 });
    const moved = deliveryBody({ lat: 52.51, lng: 13.39 });
    const estimated = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: moved });
    expect(estimated.body.quote).toMatchObject({ estimated: true, distanceKm: roadDistanceKm(moved.pickup, moved.dropoff) });
    const noLine = await call(api.url, 'GET', `/api/v1/track/${estimated.body.trackingCode}/route`);
    expect(noLine.body).toEqual({ points: null, distanceKm: estimated.body.quote.distanceKm, durationMin: null, estimated: true, driverEta: null });
  });
});

describe('address search with a Photon geocoder', () => {
  let api: TestApi;
  let photon: GeoStub;

  beforeAll(async () => {
    photon = await startPhotonStub();
    api = await startTestApi({ GEOCODER_URL: photon.url, GEOCODER_API: 'photon', GEOCODER_MIN_INTERVAL_MS: '0' });
  });
  afterAll(async () => {
    await api?.close();
    await photon?.close();
  });

  it('asks Photon’s /api and offers its places', async () => {
    const customer = await login(api.url, 'customer@example.com');
    const res = await call(api.url, 'GET', '/api/v1/geocode?q=sonnenallee', { token: customer.token });
    expect(res.body).toEqual({ geocoder: 'used', items: [{ label: 'Sonnenallee 50, 12045 Berlin, Deutschland', lat: 52.4868, lng: 13.4339, source: 'geocoder' }] });
    expect(photon.requests.map((r) => r.path)).toEqual(['/api']);
  });
});
