import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNominatimStub, type GeoStub } from '../../test/support/geo-stubs.js';
import { BreakerOpenError } from './breaker.js';
import { memoryGeoCache } from './cache.js';
import { NominatimGeocoder, type NominatimOptions } from './nominatim.js';
import { ProviderError } from './provider-http.js';

let stub: GeoStub;
beforeAll(async () => {
  stub = await startNominatimStub();
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const geocoder = (overrides: Partial<NominatimOptions> = {}) =>
  new NominatimGeocoder({ baseUrl: stub.url, cache: memoryGeoCache(), timeoutMs: 3000, userAgent: 'lp-test/1 (+http://localhost)', minIntervalMs: 0, ...overrides });

describe('Nominatim adapter', () => {
  it('searches with jsonv2, a User-Agent and a bias box around `near`, and reads the places', async () => {
    const hits = await geocoder().search('torstr 140', { near: { lat: 52.52, lng: 13.405 } });
    expect(hits).toEqual([{ label: 'Torstraße 140, Mitte, 10119 Berlin, Deutschland', lat: 52.5281, lng: 13.3985 }]);
    const [req] = stub.requests;
    expect(req!.path).toBe('/search');
    expect(req!.query.get('format')).toBe('jsonv2');
    expect(req!.query.get('viewbox')).toBe('13.2050,52.7200,13.6050,52.3200');
    expect(req!.query.get('bounded')).toBe('0');
    expect(req!.headers['user-agent']).toBe('lp-test/1 (+http://localhost)');
  });

  it('answers a repeated search from the cache without asking again', async () => {
    const g = geocoder();
    await g.search('Sonnenallee');
    await g.search('  sonnenallee ');
    expect(stub.requests).toHaveLength(1);
  });

  it('reverse-geocodes a point, and knows "Unable to geocode" means nothing there', async () => {
    const g = geocoder();
    expect(await g.reverse({ lat: 52.4995, lng: 13.4381 })).toMatchObject({ label: expect.stringContaining('Skalitzer Straße 80') });
    expect(await g.reverse({ lat: 10, lng: 10 })).toBeNull();
    expect(stub.requests.map((r) => [r.path, r.query.get('format')])).toEqual([['/reverse', 'jsonv2'], ['/reverse', 'jsonv2']]);
  });

  it('spaces requests by the minimum interval (one a second by default)', async () => {
    const g = geocoder({ minIntervalMs: 250 });
    await Promise.all([g.search('torstraße 1'), g.search('sonnenallee'), g.search('skalitzer')]);
    const gaps = stub.requests.slice(1).map((r, i) => r.receivedAt - stub.requests[i]!.receivedAt);
    expect(gaps.every((gap) => gap >= 240)).toBe(true);
  });

  it('refuses at once a search that would queue past its wait limit', async () => {
    const g = geocoder({ minIntervalMs: 1000, maxQueueMs: 500 });
    await g.search('torstraße 1');
    await expect(g.search('sonnenallee')).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(stub.requests).toHaveLength(1);
  });

  it('gives up on a slow answer after its timeout', async () => {
    stub.reply({ delayMs: 5000 });
    const started = Date.now();
    await expect(geocoder({ timeoutMs: 300 }).search('torstraße')).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('retries a 429 once after a short Retry-After', async () => {
    stub.reply({ status: 429, headers: { 'retry-after': '0.2' } });
    const started = Date.now();
    expect(await geocoder().search('sonnenallee')).toHaveLength(1);
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1]!.receivedAt - started).toBeGreaterThanOrEqual(190);
  });

  it('does not retry a 429 that asks for a long wait, nor a second 429', async () => {
    stub.reply({ status: 429, headers: { 'retry-after': '120' } });
    await expect(geocoder().search('sonnenallee')).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(stub.requests).toHaveLength(1);
    stub.reset();
    stub.reply({ status: 429, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': '0' } });
    await expect(geocoder().search('sonnenallee')).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(stub.requests).toHaveLength(2);
  });

  it('treats garbage as a failure: not JSON, the wrong shape, or a server error', async () => {
    stub.reply({ text: '<html>proxy error</html>' }, { text: JSON.stringify({ results: [] }) }, { text: JSON.stringify([{ lat: 'x' }]) }, { status: 503 });
    const g = geocoder();
    for (const kind of ['bad_answer', 'bad_answer', 'bad_answer', 'server_error']) {
      await expect(g.search('torstraße')).rejects.toSatisfy((e) => e instanceof ProviderError && e.kind === kind);
    }
  });

  it('drops places whose coordinates are not on Earth', async () => {
    stub.reply({ text: JSON.stringify([{ lat: '95', lon: '13', display_name: 'Nowhere' }, { lat: '52.5', lon: '13.4', display_name: 'Somewhere' }]) });
    expect(await geocoder().search('where')).toEqual([{ label: 'Somewhere', lat: 52.5, lng: 13.4 }]);
  });

  it('opens its breaker after repeated failures, stops calling, and closes after a good trial', async () => {
    let clock = 0;
    const states: string[] = [];
    const g = geocoder({ breaker: { failureThreshold: 3, cooldownMs: 10_000, now: () => clock, onChange: (s) => states.push(s) } });
    stub.failAll({ status: 500 });
    for (let i = 0; i < 3; i += 1) await expect(g.search(`q${i}`)).rejects.toBeInstanceOf(ProviderError);
    expect(g.breaker.state).toBe('open');
    await expect(g.search('q4')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(stub.requests).toHaveLength(3);

    clock += 10_000;
    expect(g.breaker.state).toBe('half_open');
    // A failed trial opens it again at once.
    await expect(g.search('q5')).rejects.toBeInstanceOf(ProviderError);
    expect(g.breaker.state).toBe('open');

    clock += 10_000;
    stub.failAll(null);
    expect(await g.search('sonnenallee')).toHaveLength(1);
    expect(g.breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'closed']);
  });
});
