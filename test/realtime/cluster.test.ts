/**
 * Several API instances and the test run's worker (another process), linked only through Redis: events
 * reach a socket whichever instance it is on, in `seq` order, and a client that loses its connection
 * catches up to the same final state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../domain/delivery.js';
import { connectLive, type LiveClient } from '../../web/src/lib/live-client.js';
import { pause, call, createDriverAt, isolatedArea, login, registerCustomer, startTestApi, waitForDelivery, type Session, type TestApi } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { acceptQuote, book, closeSockets, connected, startApiProcess, step, takeOffer, waitUntil, type ApiProcess } from './live-support.js';

describe('real-time across API instances', () => {
  let a: TestApi;
  let b: TestApi;
  let dispatcher: Session;
  let customer: Session;
  let driver: Session;
  let area: { lat: number; lng: number };

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApi(), startTestApi()]);
    dispatcher = await login(a.url, 'dispatcher@example.com');
    customer = await registerCustomer(b.url);
    area = isolatedArea();
    driver = await createDriverAt(b.url, dispatcher, area);
  });
  afterEach(closeSockets);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('a dispatcher on instance A gets every delivery:updated for milestones posted through B, each seq with its own event', async () => {
    const board = await connected(a.url, { token: dispatcher.token });
    const { id } = await book(b.url, customer, area);
    await acceptQuote(b.url, customer, id);
    await takeOffer(b.url, dispatcher, driver, id);
    await step(b.url, driver, id, 'arrived_pickup', 'AT_PICKUP');
    await step(b.url, driver, id, 'picked_up', 'IN_TRANSIT');
    await step(b.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    await step(b.url, driver, id, 'delivered', 'DELIVERED');
    const final = await waitForDelivery(b.url, dispatcher.token, id, (d) => d.status === 'DELIVERED');

    const ours = () => board.of('delivery:updated').filter(([d]) => d.id === id);
    await waitUntil('the last update on A', () => ours().some(([d]) => d.seq === final.seq));
    // A change may come twice (a relay's sweep repeating a slow publish, or the API's and the activity's
    // copy of a change followed at once by the delivery's own). Clients keep the first and drop any seq
    // they already have.
    const firsts = new Map<number, [Delivery, { seq: number; type: string }]>();
    for (const [d, event] of ours()) {
      expect(event.seq).toBe(d.seq);
      if (!firsts.has(d.seq)) firsts.set(d.seq, [d, event]);
    }
    expect([...firsts.keys()].sort((x, y) => x - y)).toEqual(final.timeline.map((e: { seq: number }) => e.seq));
    for (const e of final.timeline as Array<{ seq: number; type: string }>) expect(firsts.get(e.seq)![1].type).toBe(e.type);
    for (const seq of firsts.keys()) expect(ours().filter(([d]) => d.seq === seq).length).toBeLessThanOrEqual(2);
    expect(firsts.get(final.seq)![0]).toMatchObject({ status: 'DELIVERED', seq: final.seq, driver: { id: driver.user.driverId } });
  });

  it('an event one instance broadcasts reaches a socket on the other through the Redis adapter', async () => {
    const board = await connected(a.url, { token: dispatcher.token });
    const alert = { deliveryId: '00000000-0000-4000-8000-000000000000', kind: 'unassigned' as const, message: 'cross-instance', at: new Date().toISOString() };
    b.running.io.to('dispatch').emit('alert:raised', alert);
    await waitUntil('the alert on A', () => board.of('alert:raised').length === 1);
    expect(board.of('alert:raised')[0]![0]).toEqual(alert);
  });

  it('an instance shutting down closes its own sockets only', async () => {
    const leaving = await startApiProcess(await freePort());
    const staying = await connected(a.url, { token: dispatcher.token });
    const going = await connected(leaving.url, { token: dispatcher.token });
    const disconnects: string[] = [];
    staying.socket.on('disconnect', (reason) => disconnects.push(reason));
    await leaving.stop('SIGTERM');
    await waitUntil('the leaving instance’s socket closed', () => !going.socket.connected);
    await pause(500);
    expect(disconnects).toEqual([]);
    expect(staying.socket.connected).toBe(true);
  });

  it('a client cut off mid-lifecycle ends with the same final state as one that stayed connected', async () => {
    const port = await freePort();
    let c: ApiProcess | undefined = await startApiProcess(port);
    const latest = { steady: null as Delivery | null, flaky: null as Delivery | null };
    const statuses: string[] = [];
    const live = (url: string, who: Session, key: 'steady' | 'flaky', onStatus?: (s: string) => void): LiveClient =>
      connectLive({
        url,
        transports: ['websocket'],
        auth: { token: who.token },
        fetchDelivery: async (id) => (await call(url, 'GET', `/api/v1/deliveries/${id}`, { token: who.token })).body,
        onDelivery: (d) => (latest[key] = d),
        onStatus,
      });
    const steady = live(a.url, customer, 'steady');
    const flaky = live(c.url, customer, 'flaky', (s) => statuses.push(s));
    try {
      const { id } = await book(b.url, customer, area);
      latest.steady = await steady.subscribe(id);
      latest.flaky = await flaky.subscribe(id);
      await acceptQuote(b.url, customer, id);
      await takeOffer(b.url, dispatcher, driver, id);

      // A dropped transport: Socket.IO reconnects on its own, possibly after the next event.
      flaky.socket.io.engine.close();
      await step(b.url, driver, id, 'arrived_pickup', 'AT_PICKUP');
      await waitUntil('the flaky client back', () => flaky.connected);

      // Its instance dies while the delivery moves on, then comes back on the same address.
      await c.stop();
      c = undefined;
      await waitUntil('the flaky client cut off', () => !flaky.connected);
      await step(b.url, driver, id, 'picked_up', 'IN_TRANSIT');
      await step(b.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
      await waitUntil('the steady client at the door', () => latest.steady?.status === 'AT_DROPOFF');
      expect(latest.flaky?.status).not.toBe('AT_DROPOFF');
      c = await startApiProcess(port);
      await waitUntil('the flaky client caught up', () => latest.flaky?.status === 'AT_DROPOFF', 30_000);

      await step(b.url, driver, id, 'delivered', 'DELIVERED');
      const final = await waitForDelivery(b.url, customer.token, id, (d) => d.status === 'DELIVERED');
      await waitUntil('both at the final seq', () => latest.steady?.seq === final.seq && latest.flaky?.seq === final.seq);
      expect(latest.flaky).toEqual(latest.steady);
      expect(latest.flaky!.timeline!.map((e) => e.seq)).toEqual(final.timeline.map((e: { seq: number }) => e.seq));
      expect(statuses.filter((s) => s === 'disconnected').length).toBeGreaterThanOrEqual(2);
    } finally {
      steady.close();
      flaky.close();
      await c?.stop();
    }
  });
});
