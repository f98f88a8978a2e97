/**
 * Queue processor process (DESIGN §3, §8): notifications and webhooks. Its Redis connection retries for
 * ever; SIGTERM lets running jobs finish, then exits 0. `/metrics` serves its Prometheus metrics.
 */
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { listenOn } from '../adapters/listen.js';
import { registerQueueMetrics } from '../adapters/queue-metrics.js';
import {
  NOTIFICATIONS_QUEUE,
  WEBHOOKS_QUEUE,
  createQueueProducer,
  producerConnection,
  queueSettings,
  type QueueName,
  type WebhookJobData,
} from '../adapters/queue-producer.js';
import { loadConfig, type Config } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { createSequelize } from '../db/connection.js';
import { createNotificationStore } from '../db/notifications.js';
import { webhookSecretBox } from '../db/secret-box.js';
import { createWebhookStore } from '../db/webhooks.js';
import { notificationProcessor } from './notification-processor.js';
import { webhookProcessor } from './webhook-processor.js';

export interface RunningProcessors {
  registry: Registry;
  close(): Promise<void>;
}

export async function startQueueProcessors(config: Readonly<Config>): Promise<RunningProcessors> {
  const logger = createLogger(config, 'queues');
  const sequelize = createSequelize(config.DATABASE_URL, { poolMax: 10 });
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  let redisDown = false;
  connection.on('error', (err) => {
    if (!redisDown) logger.warn({ err: err.message }, 'redis connection lost; retrying');
    redisDown = true;
  });
  connection.on('ready', () => {
    if (redisDown) logger.info('redis connection back');
    redisDown = false;
  });
  const countsRedis = producerConnection(config.REDIS_URL);
  countsRedis.on('error', () => {});
  const producer = createQueueProducer(countsRedis, queueSettings(config));
  const mailer = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : undefined;
  const notifications = createNotificationStore(sequelize);
  const webhooks = createWebhookStore(sequelize, webhookSecretBox(config.JWT_SECRET));

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'queue_job_latency_seconds',
    help: 'From enqueue (or the end of an intended delay) to the job finishing',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800],
    registers: [registry],
  });
  const processed = new Counter({ name: 'queue_jobs_processed_total', help: 'Job attempts by outcome', labelNames: ['queue', 'outcome'] as const, registers: [registry] });
  registerQueueMetrics(registry, producer);

  const common = {
    connection,
    prefix: config.REDIS_PREFIX,
    lockDuration: config.QUEUE_LOCK_MS,
    stalledInterval: config.QUEUE_LOCK_MS,
    maxStalledCount: 2,
  };
  // Jobs in flight, so a shutdown can wait for them even when BullMQ's own close() cannot be trusted to.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(process: (job: Job<T>) => Promise<unknown>) => (job: Job<T>) => {
    const running = process(job);
    inFlight.add(running);
    void running.catch(() => {}).finally(() => inFlight.delete(running));
    return running;
  };
  const workers: Worker[] = [
    new Worker(NOTIFICATIONS_QUEUE, tracked(notificationProcessor({ store: notifications, logger, mailer, from: config.SMTP_FROM })), { ...common, concurrency: 10 }),
    new Worker(WEBHOOKS_QUEUE, tracked(webhookProcessor({
      store: webhooks,
      logger,
      allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    })), { ...common, concurrency: 10 }),
  ];

  const observe = (queue: QueueName, job: Job, outcome: 'completed' | 'failed') => {
    processed.inc({ queue, outcome });
    if (job.finishedOn) latency.observe({ queue, outcome }, Math.max(0, (job.finishedOn - job.timestamp - (job.opts.delay ?? 0)) / 1000));
  };
  for (const worker of workers) {
    const queue = worker.name as QueueName;
    worker.on('error', (err) => logger.warn({ queue, err: err.message }, 'queue worker error'));
    worker.on('completed', (job) => observe(queue, job, 'completed'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      observe(queue, job, 'failed');
      if (queue !== WEBHOOKS_QUEUE) return;
      // Failures the processor never saw (a job stalled too often) still end as a visible dead letter.
      void job.isFailed().then(async (failed) => {
        if (!failed) return;
        const data = job.data as WebhookJobData;
        await webhooks.markDead(data.endpointId, data.eventId, err.message);
      }).catch((e: Error) => logger.warn({ err: e.message }, 'could not dead-letter a webhook'));
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ prefix: config.REDIS_PREFIX, queues: workers.map((w) => w.name) }, 'queue processors running');

  return {
    registry,
    async close() {
      const closing = Promise.all(workers.map((w) => w.close()));
      // Running jobs finish first: a webhook half-sent at shutdown would be sent again by someone else.
      const drainUntil = Date.now() + config.WEBHOOK_TIMEOUT_MS + 10_000;
      while (inFlight.size > 0 && Date.now() < drainUntil) await Promise.race([...inFlight, sleep(100)]).catch(() => {});
      // After a Redis outage Worker.close() can wait for ever on its blocking client (taskforcesh/bullmq#4656).
      const closed = await Promise.race([closing.then(() => true), sleep(3000).then(() => false)]);
      if (!closed) logger.warn('queue workers did not close cleanly; shutting down anyway');
      await producer.close();
      connection.disconnect();
      countsRedis.disconnect();
      mailer?.close();
      await sequelize.close();
      logger.info('queue processors stopped');
    },
  };
}

function metricsServer(registry: Registry): Server {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end();
    }
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfig();
  const logger = createLogger(config, 'queues');
  const running = await startQueueProcessors(config);
  const server = metricsServer(running.registry);
  const port = await listenOn(server, config.QUEUE_METRICS_PORT, 'queue metrics', 'set QUEUE_METRICS_PORT to a free port (0 picks one)');
  logger.info({ port }, 'queue metrics listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'queue processors draining');
    server.close();
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
