import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationHookFor } from '../../activities/notifications.js';
import type { TransitionHook } from '../../activities/read-model.js';
import { loadConfig } from '../../config/env.js';
import { createSequelize } from '../../db/connection.js';
import type { Delivery, TransitionRecord } from '../../domain/delivery.js';
import { pause, call, deliveryBody, env, isolatedArea, registerCustomer, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { startChild, type ChildService } from '../support/processes.js';
import { startReceiver, type Receiver } from './receiver.js';

/**
 * The processor runs as a child process on queues of this file's own (a prefix nobody else uses), so the
 * job it is killed in the middle of can only be finished by its own restart.
 */
describe('queue processor process', () => {
  const prefix = `${env().REDIS_PREFIX}crash`;
  const overrides = { REDIS_PREFIX: prefix, QUEUE_LOCK_MS: '1500', WEBHOOK_TIMEOUT_MS: '30000', QUEUE_METRICS_PORT: '0' };
  let api: TestApi;
  let sequelize: Sequelize;
  let producer: { hook: TransitionHook; close(): Promise<void> };
  let processor: ChildService | undefined;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    sequelize = createSequelize(env().DATABASE_URL!);
    producer = notificationHookFor(loadConfig({ ...env(), ...overrides }), sequelize);
  });
  afterAll(async () => {
    await processor?.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
    await producer?.close();
    await sequelize?.close();
    await api?.close();
  });

  const startProcessor = () => startChild('worker/queue-processors.ts', overrides, /queue metrics listening/);

  /** A customer with an endpoint for `delivery.delivered` and a real (quoted) delivery; the event itself comes from the hook. */
  async function setUp(answer: Receiver['answer']) {
    const customer: Session = await registerCustomer(api.url);
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    const hook = await call(api.url, 'POST', '/api/v1/webhooks', { token: customer.token, body: { url: receiver.url, events: ['delivery.delivered'] } });
    expect(hook.status).toBe(201);
    receiver.secret = hook.body.secret;
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    const delivery: Delivery = { ...created.body, status: 'DELIVERED', seq: 50 };
    const record = { deliveryId: delivery.id, seq: 50, type: 'delivered', at: new Date().toISOString(), actor: { kind: 'driver' }, data: {} } as unknown as TransitionRecord;
    const webhookLog = async () => (await call(api.url, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, { token: customer.token })).body.items as any[];
    return { customer, receiver, delivery, record, webhookLog };
  }

  it('finishes a webhook after being killed mid-send and restarted: the receiver sees one webhook-id', async () => {
    const { receiver, delivery, record, webhookLog } = await setUp((_req, i) => (i === 0 ? 'hold' : { status: 200 }));
    processor = await startProcessor();
    await producer.hook(record, delivery);
    await waitFor('the first send to arrive', async () => receiver.requests.length === 1);

    expect(await processor.kill('SIGKILL')).toBeNull();
    expect((await webhookLog())[0]).toMatchObject({ status: 'pending', attempts: 0 });
    // Enqueueing the same event again (an activity retry) adds nothing.
    await producer.hook(record, delivery);

    processor = await startProcessor();
    const [row] = await waitFor('delivered after the restart', async () => {
      const items = await webhookLog();
      return items[0]?.status === 'delivered' ? items : null;
    }, 30_000);
    await pause(1000);
    expect(row).toMatchObject({ attempts: 1, responseStatus: 200, eventType: 'delivery.delivered' });
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(receiver.ids())).toEqual(new Set([row.eventId]));
    expect(receiver.requests.every((r) => r.verified)).toBe(true);

    // The restarted process counted the job on its own /metrics.
    const port = Number(/"port":(\d+),"msg":"queue metrics listening"/.exec(processor.output())?.[1]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/queue_job_latency_seconds_count\{queue="webhooks",outcome="completed"\} 1/);
    expect(metrics).toMatch(/queue_jobs\{queue="webhooks",state="completed"\} [1-9]/);
  });

  it('drains on SIGTERM: the send in flight completes before the process exits 0', async () => {
    const { receiver, delivery, record, webhookLog } = await setUp(() => 'hold');
    processor ??= await startProcessor();
    await producer.hook(record, delivery);
    await waitFor('the send to arrive', async () => receiver.requests.length === 1);

    const exited = processor.kill('SIGTERM');
    await pause(700);
    expect(processor.child.exitCode).toBeNull();
    receiver.release(200);
    expect(await exited).toBe(0);
    processor = undefined;
    expect((await webhookLog())[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
  });
});
