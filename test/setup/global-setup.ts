/**
 * Once per test run: a Temporal dev server (in memory), a fresh Postgres database with migrations and
 * demo data, and one delivery worker. Test files get the environment through `inject('testEnv')`.
 */
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { createLivePublisher } from '../../adapters/live-publisher.js';
import { notificationHookFor } from '../../activities/notifications.js';
import { loadConfig } from '../../config/env.js';
import { createSequelize, dropDatabase, ensureDatabase } from '../../db/connection.js';
import { createMigrator } from '../../db/migrator.js';
import { initModels } from '../../db/models.js';
import { seedDemoData } from '../../db/seed.js';
import { removeScratchKeys } from '../../scripts/lib/redis-keys.js';
import { startScratchTemporal } from '../../scripts/lib/temporal-dev.js';
import { createDeliveryWorker } from '../../worker/delivery-worker.js';
import { startQueueProcessors } from '../../worker/queue-processors.js';

export type TestEnv = Record<string, string>;

declare module 'vitest' {
  export interface ProvidedContext {
    testEnv: TestEnv;
  }
}

export default async function setup(project: TestProject) {
  const log = (...parts: unknown[]) => console.error('[setup]', ...parts);
  const temporal = await startScratchTemporal({ log });
  const dbName = `logistics_test_${Date.now()}_${process.pid}`;
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseUrl = base.replace(/\/[^/]*$/, `/${dbName}`);
  const env: TestEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `lpt${process.pid}`,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `deliveries-test-${process.pid}`,
    TEMPORAL_CLI_PATH: temporal.cliPath,
    DEMO_PASSWORD: 'demo-password-for-tests',
    JWT_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    OFFER_TIMEOUT_MS: '4000',
    DISPATCH_RETRY_MS: '1000',
    PICKUP_SLA_MS: '600000',
    // Worker and queue processes started by tests must not fight over (or with `npm start` for) 9464/9465.
    WORKER_METRICS_PORT: '0',
    QUEUE_METRICS_PORT: '0',
    // Webhook receivers in tests listen on 127.0.0.1; retries are quick so dead letters appear in seconds.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_MAX_ATTEMPTS: '4',
    WEBHOOK_BACKOFF_MS: '200',
    WEBHOOK_TIMEOUT_MS: '3000',
    // Test files sign up many accounts from 127.0.0.1; the limit itself is tested with its own API.
    REGISTER_PER_HOUR: '1000000',
    // Files sign in as the same demo accounts, and fleets poll as one dispatcher; the budget is kept in
    // Redis for a minute, across files and projects. The limit itself is tested with its own API.
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  await ensureDatabase(databaseUrl);
  const sequelize = createSequelize(databaseUrl);
  initModels(sequelize);
  await createMigrator(sequelize).up();
  await seedDemoData(sequelize, env.DEMO_PASSWORD!);

  const config = loadConfig(env);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const notifications = notificationHookFor(config, sequelize);
  const processors = await startQueueProcessors(config);
  const { worker, connection } = await createDeliveryWorker({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { sequelize, links: { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }, live: createLivePublisher(redis, config.REDIS_PREFIX), hooks: [notifications.hook] },
    // As in production: a suite's deliveries outnumber the cache, so later steps of early ones replay.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    guard: { alertAfterAttempts: config.ACTIVITY_ALERT_AFTER_ATTEMPTS },
    relayNotices: { redis, prefix: config.REDIS_PREFIX },
  });
  const running = worker.run();
  project.provide('testEnv', env);

  return async () => {
    worker.shutdown();
    await running.catch((err) => log('worker ended with', err));
    await connection.close();
    await processors.close();
    await notifications.close();
    // Every suite's prefix starts with this run's (`ownRedisPrefix`): queued jobs, limits and sessions go with the database.
    if (!process.env.KEEP_TEST_DB) await removeScratchKeys(redis, env.REDIS_PREFIX!).catch((err) => log('removing the run’s Redis keys failed:', err));
    redis.disconnect();
    await sequelize.close();
    await temporal.stop();
    if (!process.env.KEEP_TEST_DB) await dropDatabase(databaseUrl);
  };
}
