import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationHookFor } from '../../activities/notifications.js';
import { loadConfig } from '../../config/env.js';
import { createSequelize } from '../../db/connection.js';
import type { TransitionRecord } from '../../domain/delivery.js';
import { startQueueProcessors, type RunningProcessors } from '../../worker/queue-processors.js';
import { pause, call, deliveryBody, env, isolatedArea, registerCustomer, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { closeSql, sql } from '../api/support.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../support/services.js';
import { startReceiver, type Receiver } from './receiver.js';

/**
 * A whole stack of its own (Redis, Temporal worker process, API, queue processors) on a private Redis,
 * so stopping that Redis disturbs nobody else's tests.
 */
describe('Redis stopped while a delivery moves', () => {
  let redis: PrivateRedis;
  let overrides: Record<string, string>;
  let worker: ChildService | undefined;
  let api: TestApi;
  let processors: RunningProcessors;
  let sequelize: Sequelize;
  let receiver: Receiver;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    overrides = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `${env().REDIS_PREFIX}outage`,
      TEMPORAL_TASK_QUEUE: `deliveries-outage-${randomUUID().slice(0, 8)}`,
      WORKER_METRICS_PORT: '0',
    };
    worker = await startWorkerProcess(overrides);
    api = await startTestApi(overrides);
    processors = await startQueueProcessors(loadConfig({ ...env(), ...overrides }));
    sequelize = createSequelize(env().DATABASE_URL!);
    receiver = await startReceiver();
  }, 120_000);
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    await receiver?.close();
    await processors?.close();
    await api?.close();
    await worker?.kill('SIGTERM');
    await sequelize?.close();
    await redis?.stop();
    await closeSql();
  });

  const notificationsOf = async (who: Session, id: string) =>
    (await call(api.url, 'GET', `/api/v1/notifications?deliveryId=${id}`, { token: who.token })).body.items as any[];

  it('fails the enqueue fast, keeps the transition in the outbox, and sends the notification once when Redis is back', async () => {
    const customer = await registerCustomer(api.url);
    const hook = await call(api.url, 'POST', '/api/v1/webhooks', { token: customer.token, body: { url: receiver.url, events: ['delivery.quoted', 'delivery.cancelled'] } });
    expect(hook.status).toBe(201);
    receiver.secret = hook.body.secret;
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor('quote notification and webhook', async () =>
      receiver.requests.length === 1 && (await notificationsOf(customer, id)).some((n) => n.template === 'quote_ready' && n.status === 'sent'));

    // A producer of the test's own shows the failure mode directly; re-sending the quoted event is a no-op.
    const producer = notificationHookFor(loadConfig({ ...env(), ...overrides }), sequelize);
    const quoted = { deliveryId: id, seq: 1, type: 'quoted', at: created.body.createdAt, actor: { kind: 'customer' }, data: {} } as unknown as TransitionRecord;
    await producer.hook(quoted, created.body);

    await redis.stop();
    const started = Date.now();
    const late = { ...quoted, seq: 2, type: 'cancelled', data: { reason: 'probe' } } as TransitionRecord;
    await expect(producer.hook(late, created.body)).rejects.toThrow(/^notification queue unavailable: /);
    expect(Date.now() - started).toBeLessThan(1500);
    await producer.close();

    // The customer cancels while Redis is down: the answer does not wait for Redis; the cancellation waits
    // in the outbox and the worker's relay sweeps it again every second.
    const cancelled = await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: customer.token, body: { reason: 'ordered twice' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await waitFor('the relay sweeping the cancellation again', async () => {
      const [row] = await sql<{ sweeps: number }>('SELECT sweeps FROM delivery_outbox WHERE delivery_id = $1 AND seq = $2', [id, cancelled.body.seq]);
      return (row?.sweeps ?? 0) >= 2;
    }, 20_000);
    expect((await notificationsOf(customer, id)).map((n) => n.template)).toEqual(['quote_ready']);
    expect(receiver.requests).toHaveLength(1);

    await redis.start();
    await waitFor('cancellation notice and webhook', async () =>
      receiver.requests.length >= 2 && (await notificationsOf(customer, id)).some((n) => n.template === 'cancelled' && n.status === 'sent'), 30_000);
    await pause(1500);
    const notices = await notificationsOf(customer, id);
    expect(notices.map((n) => n.template).sort()).toEqual(['cancelled', 'quote_ready']);
    expect(notices.find((n) => n.template === 'cancelled')).toMatchObject({ attempts: 1, status: 'sent', message: expect.stringContaining('ordered twice') });
    expect(receiver.requests.map((r) => r.json.type)).toEqual(['delivery.quoted', 'delivery.cancelled']);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
  });
});
