/**
 * Location pings a driver sends are served without the Koa app (api/location-fast-path.ts). Each answer
 * must be the one the app gives to the same request: the app is made to serve a twin of it by an empty
 * `X-Organization-Id`, which it reads as no organisation.
 */
import { afterAll, afterEach, describe, expect, vi } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, isolatedArea, type Reply, type TestApi } from '../support/harness.js';
import { closeSql, sql } from './support.js';

const PARTNER = 'https://partner.example';
const it = apiTest({ CORS_ORIGINS: PARTNER });
const PATH = '/api/v1/drivers/me/location';
const TO_THE_APP = { 'x-organization-id': '' };

/** What two answers to the same request may differ in: when they were made, and their request id. */
function comparable(res: Reply): { status: number; body: unknown; headers: Record<string, string> } {
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));
  const { requestId, ...body } = (res.body ?? {}) as Record<string, unknown>;
  expect(requestId ?? res.headers.get('x-request-id')).toBe(res.headers.get('x-request-id'));
  return { status: res.status, body, headers };
}

/** The API's count of answers to POSTs of the location route, by status. */
async function counted(api: TestApi): Promise<Record<string, number>> {
  const { values } = await api.running.api.metrics.requests.get();
  return Object.fromEntries(values.filter((v) => v.labels.route === PATH && v.labels.method === 'POST').map((v) => [String(v.labels.status), v.value]));
}

/** Requests the app serves, counted by the contexts it makes. */
const appRequests = (api: TestApi) => vi.spyOn(api.running.api.app, 'createContext');

describe('location pings outside the app', () => {
  afterAll(() => closeSql());
  afterEach(() => vi.restoreAllMocks());

  it('answers every body as the app does, and serves a remembered driver without it', async ({ api, dispatcher }) => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const rows = async () => (await sql('SELECT count(*)::int AS n FROM driver_locations WHERE driver_id = $1', [driver.user.driverId]))[0].n as number;
    await expect.poll(rows, { timeout: 10_000 }).toBe(1);
    const served = appRequests(api);
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const bodies: Record<string, unknown> = {
      'one ping': { lat: 10, lng: 20, heading: 90, speedKph: 30, recordedAt: at(30) },
      'a batch': [{ lat: 10.2, lng: 20.2, recordedAt: at(5) }, { lat: 10.3, lng: 20.3, recordedAt: at(1) }],
      'a field out of range': { lat: 91, lng: 20, recordedAt: at(1) },
      'an unknown field': { lat: 1, lng: 2, recordedAt: at(1), altitude: 3 },
      'a ping from the future': [{ lat: 1, lng: 2, recordedAt: at(1) }, { lat: 1, lng: 2, recordedAt: at(-3600) }],
      'malformed JSON': '{"lat": 1,',
      'a bare string': '"lat"',
      'a prototype key': '{"lat":1,"lng":2,"recordedAt":"2026-01-01T00:00:00Z","__proto__":{"admin":true}}',
      'a NUL in a field': { lat: 1, lng: 2, recordedAt: 'a\u0000b' },
      'an empty batch': [],
    };
    const accepted = (await counted(api))['202'] ?? 0;
    for (const [what, body] of Object.entries(bodies)) {
      served.mockClear();
      const byApp = await call(api.url, 'POST', PATH, { token: driver.token, body, headers: TO_THE_APP });
      expect(served, `${what}: the app serves a request naming an organisation`).toHaveBeenCalledTimes(1);
      served.mockClear();
      const before = await counted(api);
      const outside = await call(api.url, 'POST', PATH, { token: driver.token, body });
      expect(served, `${what}: served outside the app`).not.toHaveBeenCalled();
      expect(comparable(outside), what).toEqual(comparable(byApp));
      // Counted in the metrics as the app counts it, under the route's own label.
      const status = String(outside.status);
      expect((await counted(api))[status], `${what}: counted`).toBe((before[status] ?? 0) + 1);
    }
    // Both ways under the one label: the ping and the batch, each sent twice.
    expect((await counted(api))['202']).toBe(accepted + 4);
    // Besides the ping that placed the driver, the accepted ping and batch once per request that sent them.
    await expect.poll(rows, { timeout: 10_000 }).toBe(1 + 2 * 3);
  });

  it('leaves to the app whatever it must check itself, with the body unread', async ({ api, dispatcher, customer }) => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const ping = { lat: 1, lng: 2, recordedAt: new Date().toISOString() };
    await call(api.url, 'POST', PATH, { token: driver.token, body: ping });
    const served = appRequests(api);
    // A replayable request: the app stores the first answer and replays it.
    const key = { 'idempotency-key': `ping-${Date.now()}` };
    const first = await call(api.url, 'POST', PATH, { token: driver.token, body: ping, headers: key });
    const again = await call(api.url, 'POST', PATH, { token: driver.token, body: ping, headers: key });
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([202, 202, 'true']);
    // An origin allowed cross-origin calls gets its CORS headers from the app; the driver's own page
    // (an origin not listed) is answered outside it, without them, as the app would.
    const partner = await call(api.url, 'POST', PATH, { token: driver.token, body: ping, headers: { origin: PARTNER } });
    expect([partner.status, partner.headers.get('access-control-allow-origin')]).toEqual([202, PARTNER]);
    const ownPage = await call(api.url, 'POST', PATH, { token: driver.token, body: ping, headers: { origin: 'https://drivers.example' } });
    expect([ownPage.status, ownPage.headers.get('access-control-allow-origin'), ownPage.headers.get('vary')]).toEqual([202, null, 'Origin']);
    // Another role, a token never seen, a body in another type: the app's own refusals.
    expect((await call(api.url, 'POST', PATH, { token: customer.token, body: ping })).status).toBe(403);
    expect((await call(api.url, 'POST', PATH, { token: `${driver.token.slice(0, -4)}AAAA`, body: ping })).status).toBe(401);
    expect((await call(api.url, 'POST', PATH, { token: driver.token, body: JSON.stringify(ping), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(served).toHaveBeenCalledTimes(6);
  });
});
