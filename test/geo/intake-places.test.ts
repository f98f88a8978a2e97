import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin } from '../api/support.js';
import { startNominatimStub, type GeoStub } from '../support/geo-stubs.js';
import { call, startTestApi, type Session, type TestApi } from '../support/harness.js';

describe('AI intake places the addresses it reads', () => {
  let api: TestApi;
  let nominatim: GeoStub;
  let customer: Session;

  beforeAll(async () => {
    nominatim = await startNominatimStub();
    api = await startTestApi({ GEOCODER_URL: nominatim.url, GEOCODER_MIN_INTERVAL_MS: '0' });
    customer = await registerAndLogin(api.url, 'Ina Intake');
  });
  afterAll(async () => {
    await api?.close();
    await nominatim?.close();
  });

  const intake = (text: string) => call(api.url, 'POST', '/api/v1/ai/intake', { token: customer.token, body: { text } });

  it('fills in a stop the geocoder finds exactly once', async () => {
    const res = await intake('2 kg from Torstraße 140 to Sonnenallee 50');
    expect(res.status).toBe(200);
    expect(res.body.draft.pickup).toEqual({ address: 'Torstraße 140, Mitte, 10119 Berlin, Deutschland', lat: 52.5281, lng: 13.3985 });
    expect(res.body.draft.dropoff).toMatchObject({ address: 'Sonnenallee 50, Neukölln, 12045 Berlin, Deutschland', lat: 52.4868 });
    expect(res.body.addresses).toEqual({ pickup: 'located', dropoff: 'located' });
    expect(res.body.missing).toEqual([]);
  });

  it('leaves an ambiguous stop for the customer to confirm, and says which', async () => {
    const res = await intake('3 kg from Torstraße to Skalitzer Straße 80, express');
    expect(res.body.addresses).toEqual({ pickup: 'confirm', dropoff: 'located' });
    expect(res.body.draft.pickup).toEqual({ address: 'Torstraße' });
    expect(res.body.missing).toEqual(['pickup.lat', 'pickup.lng']);
  });

  it('says when nothing matches', async () => {
    const res = await intake('1 kg from Nowhere Lane 9 to Sonnenallee 50');
    expect(res.body.addresses.pickup).toBe('not_found');
  });
});

describe('AI intake with no geocoder', () => {
  let api: TestApi;
  let customer: Session;

  beforeAll(async () => {
    api = await startTestApi();
    customer = await registerAndLogin(api.url, 'Sam Sample');
  });
  afterAll(() => api?.close());

  it('offers a matching sample place for confirmation but never fills it in by itself', async () => {
    const res = await call(api.url, 'POST', '/api/v1/ai/intake', { token: customer.token, body: { text: '2 kg from Alexanderplatz 1 to Europaplatz 1' } });
    expect(res.body.addresses).toEqual({ pickup: 'confirm', dropoff: 'confirm' });
    expect(res.body.draft.pickup).toEqual({ address: 'Alexanderplatz 1' });
  });
});
