/**
 * The benchmarks' own environment, like the integration tests' global setup: a scratch Postgres database,
 * Temporal dev servers on free ports, and the API and delivery worker as child processes (so the load
 * generator never shares an event loop with what it measures).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { QueryTypes } from 'sequelize';
import { createSequelize, dropDatabase, ensureDatabase } from '../../db/connection.js';
import { createMigrator } from '../../db/migrator.js';
import { initModels } from '../../db/models.js';
import { seedDemoData } from '../../db/seed.js';
import { freePort } from '../../scripts/lib/ports.js';
import { removeScratchKeys } from '../../scripts/lib/redis-keys.js';
import { startService, waitUntil, type Service } from './processes.js';
import { startTemporal, type BenchTemporal, type SqliteMode } from './temporal-server.js';

export const DEMO_PASSWORD = 'bench-demo-password';
/** High enough that the per-user and per-address limiters never refuse a benchmark request. */
export const BENCH_RATE_LIMIT = 10_000_000;

/** Every Redis key of this run's stacks and baselines starts with it. */
const REDIS_PREFIX = `lpb${process.pid}`;
const REDIS_URL = 'redis://127.0.0.1:6379';

/** Removes this run's Redis keys (queued notifications no worker took, limits, sockets' state). */
export async function removeRedisKeys(): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await removeScratchKeys(redis, REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}

export interface Database {
  url: string;
  name: string;
  customerId: string;
  drop(): Promise<void>;
}

/** The run's scratch database, or another one beside it (`logistics_bench_<pid>_<suffix>`). */
export async function prepareDatabase(suffix?: string): Promise<Database> {
  const name = `logistics_bench_${process.pid}${suffix ? `_${suffix}` : ''}`;
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  await ensureDatabase(url);
  const sequelize = createSequelize(url, { poolMax: 2 });
  try {
    initModels(sequelize);
    await createMigrator(sequelize).up();
    await seedDemoData(sequelize, DEMO_PASSWORD);
    const [customer] = await sequelize.query<{ id: string }>(`SELECT id FROM users WHERE email = 'customer@example.com'`, { type: QueryTypes.SELECT });
    return { url, name, customerId: customer!.id, drop: () => dropDatabase(url) };
  } finally {
    await sequelize.close();
  }
}

/** The pids of the Postgres backends connected to `database` (Postgres runs on this machine). */
export async function postgresBackends(database: string): Promise<number[]> {
  const sequelize = createSequelize('postgres://postgres@127.0.0.1:5432/postgres', { poolMax: 1 });
  try {
    const rows = await sequelize.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = :database', { type: QueryTypes.SELECT, replacements: { database } });
    return rows.map((r) => r.pid);
  } finally {
    await sequelize.close();
  }
}

export interface Stack {
  mode: SqliteMode;
  temporal: BenchTemporal;
  client: Client;
  apiUrl: string;
  /** The environment the API and worker children run with. */
  env: Record<string, string>;
  api: Service;
  worker: Service;
  stop(): Promise<void>;
}

export function serviceEnv(db: Database, temporalAddress: string, name: string): Record<string, string> {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: `${REDIS_PREFIX}${name}`,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `deliveries-bench-${process.pid}-${name}`,
    DEMO_PASSWORD,
    JWT_SECRET: 'bench-secret-0123456789abcdef0123456789abcdef',
    RATE_LIMIT_PER_MINUTE: String(BENCH_RATE_LIMIT),
    PUBLIC_URL: 'http://127.0.0.1:8000',
  };
}

export async function pollersOn(client: Client, taskQueue: string): Promise<boolean> {
  const described = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // workflow tasks
  });
  return (described.pollers ?? []).length > 0;
}

/** A worker child on `taskQueue`, resolved once it polls; `metricsUrl` is its Prometheus endpoint. */
export async function startWorker(
  name: string,
  entry: string,
  client: Client,
  env: Record<string, string>,
  options: { args?: string[]; nodeArgs?: string[] } = {},
): Promise<Service & { metricsUrl: string }> {
  const port = await freePort();
  const worker = startService(name, entry, { env: { ...env, WORKER_METRICS_PORT: String(port) }, ...options });
  await waitUntil(worker, 'poller', () => pollersOn(client, env.TEMPORAL_TASK_QUEUE!), 120_000);
  return { ...worker, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

/** Where a process started with `--gc` writes its request and collection counts (`bench/lib/gc-counters.mjs`). */
export const gcCountsFile = (dir: string, name: string) => path.join(dir, `gc-${name}.json`);

export async function startStack(
  cli: string,
  mode: SqliteMode,
  dir: string,
  db: Database,
  options: { profile?: string[]; profileDir?: string; gc?: string[]; env?: Record<string, string> } = {},
): Promise<Stack> {
  const temporal = await startTemporal(cli, mode, dir);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const port = await freePort();
  const env = { ...serviceEnv(db, temporal.address, mode), PORT: String(port), ...options.env };
  const profiled = (name: string) => [
    // One directory per process: tsx's loader thread writes a profile of its own next to the main thread's.
    ...(options.profile?.includes(name) ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.profileDir ?? dir, `${name}-${mode}-${Date.now()}`)] : []),
    ...(options.gc?.includes(name) ? ['--import', path.join(path.dirname(fileURLToPath(import.meta.url)), 'gc-counters.mjs')] : []),
  ];
  const counted = (name: string): Record<string, string> => (options.gc?.includes(name) ? { BENCH_GC_OUT: gcCountsFile(dir, name) } : {});
  let worker: Service | undefined;
  let api: Service | undefined;
  const stop = async () => {
    await api?.stop();
    await worker?.stop();
    await connection.close();
    await temporal.stop();
  };
  try {
    worker = await startWorker(`worker(${mode})`, 'worker/temporal-worker.ts', client, { ...env, ...counted('worker') }, { nodeArgs: profiled('worker') });
    api = startService(`api(${mode})`, 'api/server.ts', { env: { ...env, ...counted('api') }, nodeArgs: profiled('api') });
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitUntil(api, 'health', async () => (await fetch(`${apiUrl}/health`)).status === 200);
    return { mode, temporal, client, apiUrl, env, api, worker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
