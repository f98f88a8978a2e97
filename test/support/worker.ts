/**
 * A delivery worker of the suite's Temporal on a task queue of its own, for a file whose deliveries need
 * what the shared worker lacks (a model, a router, a small cache). Start the file's API with
 * `TEMPORAL_TASK_QUEUE: worker.taskQueue` so its deliveries run here, or take both as fixtures:
 *
 *   const it = workerTest('deliveries-evicted', { maxCachedWorkflows: 1 });
 *   it('…', async ({ api, customer, worker }) => { … });
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities/index.js';
import { createSequelize } from '../../db/connection.js';
import { createDeliveryWorker } from '../../worker/delivery-worker.js';
import { apiTest } from './fixtures.js';
import { env } from './harness.js';

export interface TestWorker {
  taskQueue: string;
  worker: Worker;
  /** Shuts the worker down, then closes its Temporal and Postgres connections. */
  close(): Promise<void>;
}

interface WorkerOptions {
  deps?: Omit<Partial<ActivityDeps>, 'sequelize' | 'links'>;
  maxCachedWorkflows?: number;
}

/** `name` starts the task queue's name, to tell it apart in the Temporal UI. */
export function startTestWorker(name: string, options: WorkerOptions = {}): Promise<TestWorker> {
  return runWorker(`${name}-${randomUUID()}`, options);
}

/** The API fixtures with an API whose deliveries run on the file's own `worker`, started with the file. */
export function workerTest(name: string, options: WorkerOptions = {}, apiOverrides: Record<string, string> = {}) {
  const taskQueue = `${name}-${randomUUID()}`;
  return apiTest({ ...apiOverrides, TEMPORAL_TASK_QUEUE: taskQueue }).extend<{ worker: TestWorker }>({
    worker: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const worker = await runWorker(taskQueue, options);
        try {
          await use(worker);
        } finally {
          await worker.close();
        }
      },
      // Auto: the API's deliveries need it whether or not a test names it.
      { scope: 'file', auto: true },
    ],
  });
}

async function runWorker(taskQueue: string, options: WorkerOptions): Promise<TestWorker> {
  const namespace = env().TEMPORAL_NAMESPACE!;
  const sequelize = createSequelize(env().DATABASE_URL!);
  const { worker, connection } = await createDeliveryWorker({
    address: env().TEMPORAL_ADDRESS!,
    namespace,
    taskQueue,
    deps: { sequelize, links: { uiUrl: 'http://localhost:8233', namespace }, ...options.deps },
    maxCachedWorkflows: options.maxCachedWorkflows,
  });
  const running = worker.run();
  return {
    taskQueue,
    worker,
    close: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await sequelize.close();
    },
  };
}
