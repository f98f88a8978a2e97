/** Temporal worker process: delivery workflows and their activities. SIGTERM drains and exits 0. */
import { Redis } from 'ioredis';
import { createLivePublisher } from '../activities/live.js';
import { loadConfig } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { createSequelize } from '../db/connection.js';
import { initModels } from '../db/models.js';
import { createDeliveryWorker } from './delivery-worker.js';

const config = loadConfig();
const logger = createLogger(config, 'worker');
const sequelize = createSequelize(config.DATABASE_URL);
initModels(sequelize);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));

const { worker, connection } = await createDeliveryWorker({
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  deps: {
    sequelize,
    links: { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
    live: createLivePublisher(redis, config.REDIS_PREFIX),
  },
  logger,
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    logger.info({ signal }, 'worker draining');
    worker.shutdown();
  });
}
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
await worker.run();
await connection.close();
redis.disconnect();
await sequelize.close();
logger.info('worker stopped');
process.exit(0);
