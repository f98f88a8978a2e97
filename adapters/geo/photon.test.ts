import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPhotonStub, type GeoStub } from '../../test/support/geo-stubs.js';
import { BreakerOpenError } from './breaker.js';
import { memoryGeoCache } from './cache.js';
import { PhotonGeocoder } from './photon.js';

let stub: GeoStub;
beforeAll(async () => {
  stub = await startPhotonStub();
});
afterAll(() => stub.close());
beforeEach(() => stub.reset());

const geocoder = (timeoutMs = 3000) =>
  new PhotonGeocoder({ baseUrl: stub.url, cache: memoryGeoCache(), timeoutMs, userAgent: 'lp-test', minIntervalMs: 0, breaker: { failureThreshold: 2, cooldownMs: 60_000 } });

describe('Photon adapter', () => {
  it('searches /api with a location bias and labels places from their parts', async () => {
    const hits = await geocoder().search('torstraße 140', { near: { lat: 52.52, lng: 13.405 } });
    expect(hits).toEqual([{ label: 'Torstraße 140, 10119 Berlin, Deutschland', lat: 52.5281, lng: 13.3985 }]);
    expect(stub.requests[0]!.path).toBe('/api');
    expect(stub.requests[0]!.query.get('lat')).toBe('52.52');
    expect(stub.requests[0]!.query.get('lon')).toBe('13.405');
  });

  it('reverse-geocodes a point, or answers null where nothing is', async () => {
    const g = geocoder();
    expect(await g.reverse({ lat: 52.4996, lng: 13.4382 })).toMatchObject({ label: 'Skalitzer Straße 80, 10997 Berlin, Deutschland' });
    expect(await g.reverse({ lat: 10, lng: 10 })).toBeNull();
  });

  it('fails on garbage and timeouts, and opens its breaker', async () => {
    stub.reply({ text: '{"type":"FeatureCollection"}' }, { delayMs: 5000 });
    const g = geocoder(300);
    await expect(g.search('torstraße')).rejects.toMatchObject({ kind: 'bad_answer' });
    await expect(g.search('sonnenallee')).rejects.toMatchObject({ kind: 'timeout' });
    await expect(g.search('skalitzer')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(stub.requests).toHaveLength(2);
  });
});
