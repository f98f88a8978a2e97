/**
 * The production topology (`npm run start:cluster`), reached only through nginx over HTTPS: both API
 * replicas answer, a delivery goes from quote to DELIVERED on the Temporal cluster, an exception path
 * ends where it should, and dispatchers on different replicas each see every seq of a delivery.
 */
import { request } from 'node:https';
import { Client, Connection } from '@temporalio/client';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../domain/delivery.js';
import { call, createDriverAt, env, isolatedArea, login, registerCustomer, waitFor, waitForDelivery, type Session } from '../support/harness.js';
import { acceptQuote, book, step, takeOffer } from '../realtime/live-support.js';

const app = () => env().APP_URL!;

/** GET from a chosen loopback source address: nginx pins Socket.IO by client address. */
function getFrom(localAddress: string, path: string): Promise<{ status: number; servedBy: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${app()}${path}`, { localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, servedBy: String(res.headers['x-served-by'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface PinnedSocket {
  replica: string;
  updates: Delivery[];
  close(): void;
}

/** A dispatcher socket from `localAddress`, and the replica nginx gives that address. */
async function pinnedDispatcherSocket(localAddress: string, token: string): Promise<PinnedSocket> {
  const probe = await getFrom(localAddress, '/socket.io/?EIO=4&transport=polling');
  expect(probe.status).toBe(200);
  const socket = io(app(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as never);
  const updates: Delivery[] = [];
  socket.on('delivery:updated', (d: Delivery) => updates.push(d));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { replica: probe.servedBy, updates, close: () => socket.disconnect() };
}

describe('the production topology on one machine', () => {
  let dispatcher: Session;
  let customer: Session;

  beforeAll(async () => {
    dispatcher = await login(app(), 'dispatcher@example.com');
    customer = await registerCustomer(app());
  });

  /** A delivery booked in an area of its own and taken by the one driver there. */
  async function assignedDelivery(): Promise<{ driver: Session; id: string }> {
    const area = isolatedArea();
    const driver = await createDriverAt(app(), dispatcher, area);
    const { id } = await book(app(), customer, area);
    await acceptQuote(app(), customer, id);
    await takeOffer(app(), dispatcher, driver, id);
    return { driver, id };
  }

  /** The driver's taps from the pickup to DELIVERED, each answered with its status. */
  async function deliver(driver: Session, id: string): Promise<void> {
    await step(app(), driver, id, 'arrived_pickup', 'AT_PICKUP');
    await step(app(), driver, id, 'picked_up', 'IN_TRANSIT');
    await step(app(), driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    await step(app(), driver, id, 'delivered', 'DELIVERED');
  }

  it('answers /ready through nginx from both API replicas, every dependency up', async () => {
    const instances = new Set<string>();
    const servedBy = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const ready = await call(app(), 'GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', database: 'up', redis: 'up', temporal: 'up' });
      instances.add(ready.body.instance);
      servedBy.add(ready.headers.get('x-served-by') ?? '');
    }
    expect(instances.size).toBe(2);
    expect([...servedBy].sort()).toEqual(env().API_PORTS!.split(',').map((p) => `127.0.0.1:${p}`).sort());
    expect((await call(app(), 'GET', '/metrics')).status).toBe(404);
  });

  it('runs a delivery from quote to DELIVERED on the Temporal cluster, its workflow visible by its search attributes', async () => {
    const { driver, id } = await assignedDelivery();
    await deliver(driver, id);
    const final = await waitForDelivery(app(), customer.token, id, (d) => d.status === 'DELIVERED');
    expect(final.timeline.map((e: { seq: number }) => e.seq)).toEqual(final.timeline.map((_: unknown, i: number) => i + 1));

    // The workflow ran on the cluster (8 history shards, Postgres visibility), found by what it wrote.
    const connection = await Connection.connect({ address: env().TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection, namespace: env().TEMPORAL_NAMESPACE });
      const found = await waitFor('the workflow in visibility', async () => {
        for await (const wf of client.workflow.list({ query: `DeliveryStatus = 'DELIVERED' AND DriverId = '${driver.user.driverId}'` })) return wf;
        return undefined;
      });
      expect(found.status.name).toBe('COMPLETED');
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBe('1.29.1');
      const cluster = await connection.workflowService.getClusterInfo({});
      expect(cluster.historyShardCount).toBe(8);
      expect(cluster.persistenceStore).toBe('postgres12');
    } finally {
      await connection.close();
    }
    // And in the Web UI, whose server reads it from the cluster's frontend.
    const shown = await fetch(`${env().TEMPORAL_UI_URL}/api/v1/namespaces/default/workflows/delivery-${id}`);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(await shown.json())).toContain('"status":"WORKFLOW_EXECUTION_STATUS_COMPLETED"');
  });

  it('is watched by Prometheus: every process a target, Temporal’s four services included, all up', async () => {
    const targets = await waitFor('every scrape target up', async () => {
      const res = await fetch(`${env().PROMETHEUS_URL}/api/v1/targets?state=active`);
      const active = ((await res.json()) as { data: { activeTargets: Array<{ labels: { job: string }; health: string }> } }).data.activeTargets;
      return active.length > 0 && active.every((t) => t.health === 'up') ? active : undefined;
    }, 60_000, 1000);
    const perJob = Object.fromEntries(['api', 'worker', 'queues', 'temporal'].map((job) => [job, targets.filter((t) => t.labels.job === job).length]));
    expect(perJob).toEqual({ api: 2, worker: 2, queues: 2, temporal: 4 });
  });

  it('cancels an assigned delivery through the dispatcher and frees its driver', async () => {
    const { driver, id } = await assignedDelivery();
    const cancelled = await call(app(), 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'customer called off' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const final = await waitForDelivery(app(), dispatcher.token, id, (d) => d.status === 'CANCELLED');
    expect(final.timeline.at(-1)).toMatchObject({ type: 'cancelled' });
    const refused = await call(app(), 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_pickup' } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
  });

  describe('real time across replicas', () => {
    const sockets: PinnedSocket[] = [];
    afterAll(() => sockets.forEach((s) => s.close()));

    it('two dispatcher sockets on different replicas each see every seq of a delivery driven through both', async () => {
      // Loopback addresses until nginx has put one socket on each replica.
      for (let host = 2; host < 40 && new Set(sockets.map((s) => s.replica)).size < 2; host++) {
        const socket = await pinnedDispatcherSocket(`127.0.0.${host}`, dispatcher.token);
        if (!sockets.some((s) => s.replica === socket.replica)) sockets.push(socket);
        else socket.close();
      }
      expect(new Set(sockets.map((s) => s.replica)).size).toBe(2);

      const { driver, id } = await assignedDelivery();
      await deliver(driver, id);
      const final = await waitForDelivery(app(), dispatcher.token, id, (d) => d.status === 'DELIVERED');
      const seqs = final.timeline.map((e: { seq: number }) => e.seq);

      for (const socket of sockets) {
        const seen = () => [...new Set(socket.updates.filter((d) => d.id === id).map((d) => d.seq))].sort((a, b) => a - b);
        await waitFor(`every seq on the socket of ${socket.replica}`, async () => seen().length === seqs.length);
        expect(seen()).toEqual(seqs);
      }
    });
  });

  it('restarts an API replica that dies, while nginx keeps answering from the other', async () => {
    const killed = (await call(app(), 'GET', '/ready')).body.instance as string;
    process.kill(Number(killed.split(':').pop()), 'SIGKILL');
    // Meanwhile every request is answered: nginx retries a failed one on the live replica.
    const statuses: number[] = [];
    const instances = await waitFor('two replicas again, one of them a new process', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const ready = await call(app(), 'GET', '/ready');
        statuses.push(ready.status);
        if (ready.status === 200) seen.add(ready.body.instance);
      }
      return seen.size === 2 && !seen.has(killed) ? seen : undefined;
    }, 60_000, 250);
    expect(instances.size).toBe(2);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
