import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ensureTemporalCli } from '../../scripts/temporal.mjs';
import { prepareLifecycle, warmLifecycle } from '../b1-lifecycle.js';
import { DEMO_PASSWORD, prepareDatabase, startStack } from '../lib/env.js';
import { connectSocket } from '../lib/sockets.js';
import { expectCall } from '../lib/http.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'b2-'));
const db = await prepareDatabase();
const stack = await startStack(await ensureTemporalCli(), 'memory', dir, db);
try {
  const setup = await prepareLifecycle(stack.apiUrl, DEMO_PASSWORD, 1, 3000);
  await warmLifecycle(setup);
  const sub = new Redis('redis://127.0.0.1:6379');
  const redisAt: number[] = [];
  await sub.psubscribe(`${stack.env.REDIS_PREFIX}:socket.io*`);
  sub.on('pmessageBuffer', () => redisAt.push(performance.now()));
  const sock = await connectSocket(stack.apiUrl, { token: setup.dispatcher.token });
  const arrivals = new Map<string, number>();
  sock.on('delivery:updated', (d) => arrivals.set(`${d.seq}`, performance.now()));
  const lane = setup.lanes[0]!;
  const created = await expectCall(201, stack.apiUrl, 'POST', '/api/v1/deliveries', { token: setup.customer.token, body: { pickup: { address: 'Depot 1', lat: lane.at.lat + 0.001, lng: lane.at.lng + 0.001 }, dropoff: { address: 'Elm St 14', lat: lane.at.lat + 0.02, lng: lane.at.lng + 0.02 }, parcel: { weightKg: 3 }, priority: 'standard' } });
  await expectCall(200, stack.apiUrl, 'POST', `/api/v1/deliveries/${created.id}/accept-quote`, { token: setup.customer.token });
  await new Promise((r) => setTimeout(r, 1000));
  for (const type of ['accept_offer', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered']) {
    redisAt.length = 0;
    const t0 = performance.now();
    const reply = await expectCall(200, stack.apiUrl, 'POST', `/api/v1/deliveries/${created.id}/milestones`, { token: lane.driver.token, body: { type } });
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const wallNow = Date.now();
    const sinceTransition = wallNow - Date.parse(reply.updatedAt) - (performance.now() - t1);
    console.log(type.padEnd(16), 'POST', (t1 - t0).toFixed(0), 'ms; transition at', (sinceTransition).toFixed(0), 'ms before return; redis msgs at', redisAt.map((t) => (t - t1).toFixed(0)).join(','), '; socket at', ((arrivals.get(`${reply.seq}`) ?? NaN) - t1).toFixed(0), '(rel. to POST return)');
  }
  sock.disconnect();
  sub.disconnect();
  await setup.close();
} finally {
  await stack.stop();
  await db.drop();
}
