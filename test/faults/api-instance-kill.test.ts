import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../domain/delivery.js';
import { connectLive, type LiveClient } from '../../web/src/lib/live-client.js';
import { call, loginAs, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { freePort } from '../support/ports.js';
import { startChild, type ChildService } from '../support/processes.js';
import { startBalancer, type Balancer } from '../support/balancer.js';

describe('fault: one of two API instances is killed', () => {
  let a: ChildService | undefined;
  let b: TestApi;
  let balancer: Balancer;
  let customer: Session;
  let dispatcher: Session;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    const portA = await freePort();
    a = await startChild('api/server.ts', { PORT: String(portA) }, /api listening/);
    b = await startTestApi();
    // Instance A first: every client lands on A until A dies, then the balancer sends them to B.
    balancer = await startBalancer([portA, Number(new URL(b.url).port)]);
    [customer, dispatcher] = await loginAs(balancer.url, 'customer', 'dispatcher');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await balancer?.close();
    await a?.kill('SIGKILL');
    await b?.close();
  });

  it('lets its socket clients reconnect to the other instance and converge', async () => {
    const fleet = await startFleet(balancer.url, customer, dispatcher, 20);
    const seen = new Map<string, Delivery>();
    const live = connectLive({
      url: balancer.url,
      auth: { token: dispatcher.token },
      transports: ['websocket'],
      fetchDelivery: async (id) => (await call(balancer.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body,
      onDelivery: (d) => seen.set(d.id, d),
    });
    clients.push(live);
    await waitFor('socket connected', async () => live.connected);
    for (const flight of fleet) {
      live.track((await call(balancer.url, 'GET', `/api/v1/deliveries/${flight.id}`, { token: dispatcher.token })).body);
    }

    const finishing = fleet.map((flight) => finishDelivery(balancer.url, flight));
    await new Promise((r) => setTimeout(r, 300));
    expect(await a!.kill('SIGKILL')).toBe(null);
    const finished = await Promise.all(finishing);
    expect(finished.every((d) => d.status === 'DELIVERED')).toBe(true);

    await waitFor('the dashboard converged', async () => fleet.every((f) => seen.get(f.id)?.status === 'DELIVERED'), 30_000);
    for (const f of fleet) {
      const truth = (await call(b.url, 'GET', `/api/v1/deliveries/${f.id}`, { token: dispatcher.token })).body;
      expect(seen.get(f.id)!.seq).toBe(truth.seq);
    }
  });
});
