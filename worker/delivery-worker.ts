/** Builds the Temporal worker that runs delivery workflows and their activities. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A prebuilt bundle (npm run build) starts in milliseconds; the sources are bundled on start otherwise. */
function workflowSource(): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  const bundle = path.resolve(here, '..', 'workflow-bundle.js');
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  const ext = existsSync(path.resolve(here, '..', 'workflows', 'index.ts')) ? 'ts' : 'js';
  return { workflowsPath: path.resolve(here, '..', 'workflows', `index.${ext}`) };
}

export interface DeliveryWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  logger?: Logger;
  maxConcurrentActivityTaskExecutions?: number;
  /** Caps the sticky cache: open deliveries beyond it replay from history on their next step. */
  maxCachedWorkflows?: number;
}

export async function createDeliveryWorker(options: DeliveryWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...workflowSource(),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
  });
  return { worker, connection };
}
