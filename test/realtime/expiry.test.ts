/** A socket lives no longer than its access token; the client library comes back with a fresh one. */
import { afterAll, describe, expect } from 'vitest';
import type { Delivery } from '../../domain/delivery.js';
import { connectLive } from '../../web/src/lib/live-client.js';
import { apiTest } from '../support/fixtures.js';
import { requestQuote } from '../support/flow.js';
import { call, isolatedArea, registerCustomer, type Session } from '../support/harness.js';
import { closeSockets, connected, waitUntil } from './live-support.js';

const TTL_S = 30;

// A customer of its own: the test refreshes their tokens, which would sign the demo customer out elsewhere.
const it = apiTest({ ACCESS_TOKEN_TTL_S: String(TTL_S) }).extend<{ customer: Session }>({
  customer: [async ({ api }, use) => use(await registerCustomer(api.url)), { scope: 'file' }],
});

describe('access token expiry', () => {
  afterAll(() => closeSockets());

  it('ends the connection when the token expires; the client reconnects with a fresh token and keeps its subscription', async ({ api, customer }) => {
    let refreshToken = customer.refreshToken;
    const issued: string[] = [];
    const getToken = async () => {
      const res = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });
      expect(res.status).toBe(200);
      refreshToken = res.body.refreshToken;
      issued.push(res.body.accessToken);
      return res.body.accessToken as string;
    };
    // Start from a fresh token: setting the suite up may have eaten into the first one's 30 seconds.
    const token = await getToken();
    const { id } = await requestQuote(api.url, { ...customer, token }, isolatedArea());
    let latest: Delivery | null = null;
    const statuses: string[] = [];
    const live = connectLive({
      url: api.url,
      transports: ['websocket'],
      auth: { token },
      getToken,
      fetchDelivery: async (d) => (await call(api.url, 'GET', `/api/v1/deliveries/${d}`, { token: issued.at(-1) })).body,
      onDelivery: (d) => (latest = d),
      onStatus: (s) => statuses.push(s),
    });
    const plain = await connected(api.url, { token });
    try {
      expect(await live.subscribe(id)).toMatchObject({ id, status: 'QUOTED' });
      await waitUntil('the plain socket cut at expiry', () => !plain.socket.connected, (TTL_S + 10) * 1000);
      await waitUntil('the client back with a fresh token', () => issued.length >= 3 && live.connected, 15_000);
      expect(statuses).toContain('disconnected');
      expect(await connected(api.url, { token: issued.at(-1)! })).toBeTruthy();

      const cancel = await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: issued.at(-1), body: { reason: 'not needed' } });
      expect(cancel.status).toBe(200);
      await waitUntil('the cancellation on the re-joined room', () => (latest as Delivery | null)?.status === 'CANCELLED');
    } finally {
      live.close();
    }
  });
});
