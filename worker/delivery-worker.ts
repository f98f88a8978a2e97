/** Builds the Temporal worker that runs delivery workflows and their activities. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { boardAlerts } from '../activities/alerts.js';
import { createActivities, transitionPublisher, type ActivityDeps } from '../activities/index.js';
import { TransitionRelay } from '../activities/transition-relay.js';
import { relayNoticeChannel } from '../db/transition-outbox.js';
import { activityGuard, type ActivityGuardOptions } from './activity-guard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

/** Bundles the workflow sources in a child process (`scripts/bundle-workflows.mjs`), so webpack's memory never stays in the worker. */
export async function bundleInChild(bundler: string, workflowsPath: string): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [bundler, workflowsPath], { cwd: path.dirname(bundler), maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`bundling the workflows (${workflowsPath}) failed: ${(stderr || message).trim().slice(-2000)}`, { cause: err });
  }
}

/** A prebuilt bundle (npm run build) starts in milliseconds; the sources are bundled on start otherwise. */
async function workflowSource(): Promise<Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>> {
  const bundle = path.resolve(here, '..', 'workflow-bundle.js');
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  const ext = existsSync(path.resolve(here, '..', 'workflows', 'index.ts')) ? 'ts' : 'js';
  const workflowsPath = path.resolve(here, '..', 'workflows', `index.${ext}`);
  const bundler = path.resolve(here, '..', 'scripts', 'bundle-workflows.mjs');
  if (!existsSync(bundler)) return { workflowsPath };
  return { workflowBundle: { code: await bundleInChild(bundler, workflowsPath) } };
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
  /** Alerts for failing activities; by default after 5 attempts in a row, to the board through `deps.live`. */
  guard?: Partial<ActivityGuardOptions>;
  /** Counts the transitions the outbox sweep published (delivery_transitions_swept_total). */
  sweptTransitions?: Counter<'reason'>;
  /** How old an unpublished transition must be before the sweep publishes it (default 5 s). */
  relayStaleAfterMs?: number;
  /**
   * Where APIs announce the transitions they queued (`relayNoticeChannel`), so the relay publishes them at
   * once; without it, the relay's next sweep does, within a second.
   */
  relayNotices?: { redis: Redis; prefix: string };
}

export async function createDeliveryWorker(options: DeliveryWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address }).catch((err: Error) => {
    throw new Error(`cannot reach Temporal at ${options.address} (TEMPORAL_ADDRESS): ${err.message}`, { cause: err });
  });
  // Bulk imports start their deliveries through a client of the worker's own (activities/imports.ts).
  const clientConnection = await Connection.connect({ address: options.address });
  const starter = { client: new Client({ connection: clientConnection, namespace: options.namespace }), taskQueue: options.taskQueue };
  // Every caller closes the worker's connection when done; the client's goes with it.
  const closeWorkerConnection = connection.close.bind(connection);
  connection.close = async () => {
    await clientConnection.close();
    await closeWorkerConnection();
  };
  const relay = new TransitionRelay({
    sequelize: options.deps.sequelize,
    group: options.taskQueue,
    publish: transitionPublisher(options.deps),
    log: options.logger,
    swept: options.sweptTransitions,
    staleAfterMs: options.relayStaleAfterMs,
    callerRows: true,
  });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ starter, relay, ...options.deps }),
    interceptors: {
      activity: [activityGuard({ alertAfterAttempts: 5, raise: boardAlerts({ live: options.deps.live, sequelize: options.deps.sequelize }, options.logger), ...options.guard })],
    },
    ...(await workflowSource()),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 100,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: '10 seconds',
    // A tap waits for its Update at most 10 s (the API's deadline). When the worker holding a delivery
    // in its cache dies, its next task waits this long on that worker's sticky queue before any worker
    // may take it; at the SDK's default of 10 s such a tap always ran out of time.
    stickyQueueScheduleToStartTimeout: '4 seconds',
  });
  // The relay publishes while the worker runs, and what it holds is out (or back in the outbox) before run() returns.
  const run = worker.run.bind(worker);
  worker.run = async () => {
    relay.start();
    const notices = options.relayNotices && listenForRelayNotices(options.relayNotices, relay, options.logger);
    try {
      await run();
    } finally {
      notices?.disconnect();
      await relay.stop();
    }
  };
  return { worker, connection };
}

/** One subscription per worker; a reconnection may have missed notices, so it wakes the relay too. */
function listenForRelayNotices({ redis, prefix }: { redis: Redis; prefix: string }, relay: TransitionRelay, log?: Logger): Redis {
  const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log?.warn({ err: err.message }, 'relay notice subscription problem'));
  subscriber.on('ready', () => relay.wake());
  subscriber.on('message', () => relay.wake());
  void subscriber.subscribe(relayNoticeChannel(prefix)).catch((err: Error) => log?.warn({ err: err.message }, 'relay notice subscription failed'));
  return subscriber;
}
