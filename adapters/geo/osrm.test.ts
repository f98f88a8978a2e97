import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOsrmStub, type GeoStub } from '../../test/support/geo-stubs.js';
import { BreakerOpenError } from './breaker.js';
import { memoryGeoCache } from './cache.js';
import { OsrmRouter, type OsrmOptions } from './osrm.js';
import { ProviderError } from './provider-http.js';
import { createTripMeasurer } from './router.js';

let stub: GeoStub;
beforeAll(async () => {
  stub = await startOsrmStub();
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const router = (overrides: Partial<OsrmOptions> = {}) =>
  new OsrmRouter({ baseUrl: `${stub.url}/`, cache: memoryGeoCache(), timeoutMs: 3000, userAgent: 'lp-test', ...overrides });
const a = { lat: 52.5296, lng: 13.4011 };
const b = { lat: 52.4995, lng: 13.4381 };

describe('OSRM adapter', () => {
  it('asks /route/v1/driving with lng,lat pairs and reads distance, duration and the line', async () => {
    const route = await router().route(a, b);
    expect(stub.requests[0]!.path).toBe('/route/v1/driving/13.4011,52.5296;13.4381,52.4995');
    expect(stub.requests[0]!.query.get('geometries')).toBe('geojson');
    expect(route!.distanceKm).toBeCloseTo(5.0, 0);
    expect(route!.durationMin).toBeCloseTo((route!.distanceKm / 30) * 60, 5);
    expect(route!.points).toEqual([a, { lat: b.lat, lng: a.lng }, b]);
  });

  it('asks one /table/v1/driving for many sources to one destination', async () => {
    const cells = await router().table([a, { lat: 52.52, lng: 13.405 }], b);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.path).toBe('/table/v1/driving/13.4011,52.5296;13.4050,52.5200;13.4381,52.4995');
    expect(stub.requests[0]!.query.get('sources')).toBe('0;1');
    expect(stub.requests[0]!.query.get('destinations')).toBe('2');
    expect(cells).toHaveLength(2);
    expect(cells[0]!.distanceKm).toBeGreaterThan(cells[1]!.distanceKm);
  });

  it('caches by coordinates rounded to ~10 m', async () => {
    const r = router();
    await r.route(a, b);
    await r.route({ lat: a.lat + 0.00002, lng: a.lng - 0.00002 }, b);
    expect(stub.requests).toHaveLength(1);
  });

  it('reads "NoRoute" as no road, not as a fault', async () => {
    stub.reply({ status: 400, body: { code: 'NoRoute', message: 'Impossible route between points' } });
    const r = router();
    expect(await r.route(a, b)).toBeNull();
    expect(r.breaker.state).toBe('closed');
  });

  it('times out, retries a short 429 once, and refuses garbage', async () => {
    stub.reply({ delayMs: 5000 });
    await expect(router({ timeoutMs: 300 }).route(a, b)).rejects.toMatchObject({ kind: 'timeout' });
    stub.reset();
    stub.reply({ status: 429, headers: { 'retry-after': '0' } });
    expect(await router().route(a, b)).not.toBeNull();
    expect(stub.requests).toHaveLength(2);
    stub.reset();
    stub.reply({ status: 429, headers: { 'retry-after': '30' } });
    await expect(router().route(a, b)).rejects.toMatchObject({ kind: 'rate_limited' });
    stub.reply({ text: '{"code":"Ok","routes":[{"distance":"far"}]}' }, { text: '{"code":"Ok","durations":[[1]]}' });
    await expect(router().route(a, b)).rejects.toMatchObject({ kind: 'bad_answer' });
    await expect(router().table([a, a], b)).rejects.toMatchObject({ kind: 'bad_answer' });
  });

  it('opens its breaker after repeated failures and closes on a good trial', async () => {
    let clock = 0;
    const r = router({ breaker: { failureThreshold: 2, cooldownMs: 5000, now: () => clock } });
    stub.failAll({ status: 502 });
    await expect(r.route(a, b)).rejects.toBeInstanceOf(ProviderError);
    await expect(r.route(a, { lat: 52.4, lng: 13.3 })).rejects.toBeInstanceOf(ProviderError);
    await expect(r.route(a, { lat: 52.41, lng: 13.3 })).rejects.toBeInstanceOf(BreakerOpenError);
    expect(stub.requests).toHaveLength(2);
    clock = 5000;
    stub.failAll(null);
    expect(await r.route(a, b)).not.toBeNull();
    expect(r.breaker.state).toBe('closed');
  });
});

describe('trip measure', () => {
  it('is the road distance when the router answers, and the flagged estimate when it does not', async () => {
    const trips = createTripMeasurer(router());
    const road = await trips.trip(a, b);
    expect(road).toMatchObject({ estimated: false, points: expect.any(Array) });
    stub.failAll({ status: 500 });
    const failed = await createTripMeasurer(router()).trip(a, b);
    expect(failed).toMatchObject({ estimated: true, reason: 'router_failed', durationMin: null, points: null });
    expect(failed.distanceKm).not.toBe(road.distanceKm);
    expect(await createTripMeasurer(undefined).trip(a, b)).toMatchObject({ estimated: true, reason: 'no_router', distanceKm: failed.distanceKm });
    const many = await createTripMeasurer(router()).toOne([a, b], b);
    expect(many.map((m) => m.estimated)).toEqual([true, true]);
  });
});
