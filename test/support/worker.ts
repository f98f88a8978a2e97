/**
 * A delivery worker of the suite's Temporal on a task queue of its own, for a file whose deliveries need
 * what the shared worker lacks (a model, a router, a small cache). Start the file's API with
 * `TEMPORAL_TASK_QUEUE: worker.taskQueue` so its deliveries run here.
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities/index.js';
import { createSequelize } from '../../db/connection.js';
import { createDeliveryWorker } from '../../worker/delivery-worker.js';
import { env } from './harness.js';

export interface TestWorker {
  taskQueue: string;
  worker: Worker;
  /** Shuts the worker down, then closes its Temporal and Postgres connections. */
  close(): Promise<void>;
}

/** `name` starts the task queue's name, to tell it apart in the Temporal UI. */
export async function startTestWorker(
  name: string,
  options: { deps?: Omit<Partial<ActivityDeps>, 'sequelize' | 'links'>; maxCachedWorkflows?: number } = {},
): Promise<TestWorker> {
  const taskQueue = `${name}-${randomUUID()}`;
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
