import { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createLivePublisher } from '../../adapters/live-publisher.js';
import { createSequelize } from '../../db/connection.js';
import { startDevServer, type DevServer } from '../../scripts/temporal.mjs';
import { createDeliveryWorker } from '../../worker/delivery-worker.js';
import { createDriverAt, env, isolatedArea, loginAs, startTestApi, waitFor, waitForDelivery, type Session, type TestApi, proofFor } from '../support/harness.js';
import { expectContiguousTimeline, expectMilestone, runToInTransit } from '../support/flow.js';
import { freePort } from '../support/ports.js';

/** A server that suggests continue-as-new after a few dozen events, so a long delivery crosses runs. */
describe('continue-as-new on a long delivery', () => {
  const taskQueue = `deliveries-can-${process.pid}`;
  let server: DevServer;
  let sequelize: Sequelize;
  let redis: Redis;
  let worker: Worker;
  let running: Promise<void>;
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    server = await startDevServer({
      cliPath: env().TEMPORAL_CLI_PATH,
      port: await freePort(),
      uiPort: await freePort(),
      headless: true,
      dynamicConfig: ['limit.historyCount.suggestContinueAsNew=60'],
      log: () => {},
    });
    sequelize = createSequelize(env().DATABASE_URL!);
    redis = new Redis(env().REDIS_URL!);
    ({ worker } = await createDeliveryWorker({
      address: server.address,
      namespace: 'default',
      taskQueue,
      deps: { sequelize, links: { uiUrl: 'http://localhost:8233', namespace: 'default' }, live: createLivePublisher(redis, env().REDIS_PREFIX!) },
    }));
    running = worker.run();
    api = await startTestApi({ TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: taskQueue, REATTEMPT_DELAY_MS: '200', MAX_ATTEMPTS: '6' });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });

  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await running;
    redis?.disconnect();
    await sequelize?.close();
    await server?.stop();
  });

  it('keeps state, timeline and search attributes across runs', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const id = await runToInTransit(api.url, customer, dispatcher, driver, area);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'IN_TRANSIT', 15_000);
      await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
      await expectMilestone(api.url, driver, id, 'attempt_failed', 'ATTEMPT_FAILED', { reason: 'closed' });
    }
    await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'IN_TRANSIT', 15_000);
    await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    const delivered = await expectMilestone(api.url, driver, id, 'delivered', 'DELIVERED', proofFor('delivered', 'Finally Home'));
    expect(delivered.attempts).toBe(5);
    await expectContiguousTimeline(api.url, dispatcher.token, id);

    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const runs = await waitFor('the last run to complete', async () => {
      const statuses: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = 'delivery-${id}'` })) statuses.push(wf.status.name);
      return statuses.includes('COMPLETED') ? statuses : null;
    });
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
    await client.connection.close();
  });
});
