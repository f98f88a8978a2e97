/** Temporal worker process: delivery workflows and their activities. SIGTERM drains and exits 0. */
import { Redis } from 'ioredis';
import { createGroqClient } from '../adapters/ai/groq.js';
import { createAiMetrics } from '../adapters/ai/metrics.js';
import { createLivePublisher } from '../adapters/live-publisher.js';
import { notificationHookFor } from '../activities/notifications.js';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { openDatabase } from '../db/connection.js';
import { createGeoProviders } from '../adapters/geo/providers.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { createActivityGuardMetrics } from './activity-guard.js';
import { createRelayMetrics } from '../activities/transition-relay.js';
import { installWorkerTelemetry } from './telemetry.js';

const config = loadConfig();
const logger = createLogger(config, 'worker');
/** Temporal unreachable or a port taken: one line that says which, and a non-zero exit. */
const couldNotStart = (err: Error): never => {
  logger.fatal({ err: err.message }, 'worker could not start');
  process.exit(1);
};
const telemetry = await installWorkerTelemetry({ port: config.WORKER_METRICS_PORT, logger }).catch(couldNotStart);
const sequelize = openDatabase(config.DATABASE_URL, { log: logger });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
const notifications = notificationHookFor(config, sequelize, logger);

const { worker, connection } = await createDeliveryWorker({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  deps: {
    sequelize,
    links: { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
    live: createLivePublisher(redis, config.REDIS_PREFIX),
    ai: { groq: createGroqClient(config), model: config.GROQ_MODEL, timeoutMs: config.GROQ_TIMEOUT_MS, metrics: createAiMetrics(telemetry.registry) },
    hooks: [telemetry.transitionHook, notifications.hook],
    trips: createGeoProviders(config, { redis, logger }).trips,
  },
  logger,
  maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  guard: { alertAfterAttempts: config.ACTIVITY_ALERT_AFTER_ATTEMPTS, metrics: createActivityGuardMetrics(telemetry.registry) },
  sweptTransitions: createRelayMetrics(telemetry.registry),
  relayNotices: { redis, prefix: config.REDIS_PREFIX },
}).catch(couldNotStart);
telemetry.watch(worker);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // shutdown() throws unless RUNNING: a repeated signal must not turn a clean drain into a crash.
    if (worker.getState() !== 'RUNNING') return;
    logger.info({ signal }, 'worker draining');
    worker.shutdown();
  });
}
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
await worker.run();
await connection.close();
await notifications.close();
redis.disconnect();
await sequelize.close();
await telemetry.close();
logger.info('worker stopped');
process.exit(0);
