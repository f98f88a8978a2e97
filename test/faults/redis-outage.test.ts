import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import type { Delivery } from '../../domain/delivery.js';
import { connectLive, type LiveClient } from '../../web/src/lib/live-client.js';
import { startQueueProcessors, type RunningProcessors } from '../../worker/queue-processors.js';
import { call, env, loginAs, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { expectContiguousTimeline } from '../support/flow.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../support/services.js';

describe('fault: Redis stops for 10 s with 20 deliveries in flight', () => {
  let redis: PrivateRedis;
  let worker: ChildService | undefined;
  let api: TestApi;
  let processors: RunningProcessors;
  let live: LiveClient | undefined;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const overrides = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `${env().REDIS_PREFIX}fault`,
      TEMPORAL_TASK_QUEUE: `deliveries-redis-fault-${randomUUID().slice(0, 8)}`,
      WORKER_METRICS_PORT: '0',
    };
    worker = await startWorkerProcess(overrides);
    // Tracking views are remembered long enough that only this instance's own eviction can refresh one during the outage.
    api = await startTestApi({ ...overrides, TRACKING_CACHE_MS: '60000' });
    processors = await startQueueProcessors(loadConfig({ ...env(), ...overrides }));
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  }, 120_000);
  afterAll(async () => {
    live?.close();
    await redis?.start().catch(() => undefined);
    await processors?.close();
    await api?.close();
    await worker?.kill('SIGTERM');
    await redis?.stop();
  });

  it('keeps serving reads and taking taps, then delivers every live update and notification once', async () => {
    const fleet = await startFleet(api.url, customer, dispatcher, 20);
    const board = new Map<string, Delivery>();
    live = connectLive({
      url: api.url,
      auth: { token: dispatcher.token },
      transports: ['websocket'],
      fetchDelivery: async (id) => (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body,
      onDelivery: (d) => board.set(d.id, d),
    });
    await waitFor('dashboard connected', async () => live!.connected);
    for (const f of fleet) live.track((await call(api.url, 'GET', `/api/v1/deliveries/${f.id}`, { token: dispatcher.token })).body);

    const trackingCode: string = (await call(api.url, 'GET', `/api/v1/deliveries/${fleet[0]!.id}`, { token: dispatcher.token })).body.trackingCode;
    const track = () => call(api.url, 'GET', `/api/v1/track/${trackingCode}`);
    expect((await track()).body.status).toBe('ASSIGNED');

    await redis.stop();
    const outageEnds = Date.now() + 10_000;
    // Reads and taps during the outage.
    const list = await call(api.url, 'GET', '/api/v1/deliveries?limit=5', { token: dispatcher.token });
    expect(list.status).toBe(200);
    const tapped = await Promise.all(fleet.map((f) => call(api.url, 'POST', `/api/v1/deliveries/${f.id}/milestones`, {
      token: f.driver.token, body: { type: 'arrived_pickup' }, headers: { 'Idempotency-Key': `${f.id}-arrived_pickup` },
    })));
    expect(tapped.map((t) => t.status)).toEqual(fleet.map(() => 200));
    // No announcement gets through now: the tap's own instance forgot the view it served before.
    expect((await track()).body.status).toBe('AT_PICKUP');
    expect((await call(api.url, 'GET', '/ready')).body.redis).toBe('down');
    await new Promise((r) => setTimeout(r, Math.max(0, outageEnds - Date.now())));
    await redis.start();
    // A blip too short for a scrape to see is still counted, so RedisConnectionLost can fire on it.
    await expect.poll(async () => Number(/^redis_reconnects_total (\d+)/m.exec((await call(api.url, 'GET', '/metrics')).body)?.[1] ?? 0)).toBeGreaterThan(0);

    const finished = await Promise.all(fleet.map((f) => finishDelivery(api.url, f)));
    expect(finished.every((d) => d.status === 'DELIVERED')).toBe(true);
    await waitFor('dashboard converged', async () => fleet.every((f) => board.get(f.id)?.status === 'DELIVERED'), 60_000);

    for (const f of fleet) {
      await expectContiguousTimeline(api.url, dispatcher.token, f.id);
      const notices = await waitFor(`notifications of ${f.id}`, async () => {
        const items = (await call(api.url, 'GET', `/api/v1/notifications?deliveryId=${f.id}`, { token: customer.token })).body.items as any[];
        return items.some((n) => n.template === 'delivered' && n.status === 'sent') ? items : null;
      }, 60_000);
      const templates = notices.map((n) => n.template);
      expect(templates.filter((t) => t === 'delivered')).toHaveLength(1);
      expect(new Set(templates).size).toBe(templates.length);
    }
  });
});
