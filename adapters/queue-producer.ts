/**
 * BullMQ producers for notifications and webhooks (DESIGN §8). Enqueueing fails fast with a clear error
 * while Redis is away, so the caller (a Temporal activity) retries instead of hanging.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import type { RecipientKind } from '../domain/notifications.js';

export const NOTIFICATIONS_QUEUE = 'notifications';
export const WEBHOOKS_QUEUE = 'webhooks';
export type QueueName = typeof NOTIFICATIONS_QUEUE | typeof WEBHOOKS_QUEUE;

export interface NotificationJobData {
  deliveryId: string;
  seq: number;
  eventType: string;
  trackingCode: string;
  recipient: { kind: RecipientKind; userId?: string; driverId?: string };
  template: string;
  message: string;
  awaitsDelayMessage?: boolean;
  /** The API request behind the event, for following it through the logs. */
  requestId?: string;
}

export interface WebhookJobData {
  endpointId: string;
  /** The Standard Webhooks `webhook-id`: the same on every attempt and redelivery of this message. */
  eventId: string;
  eventType: string;
  deliveryId: string;
  seq: number;
  /** The exact bytes that are signed and sent. */
  body: string;
  requestId?: string;
}

export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`notification queue unavailable: ${detail}`, options);
    this.name = 'QueueUnavailableError';
  }
}

export interface QueueSettings {
  prefix: string;
  webhookAttempts: number;
  webhookBackoffMs: number;
  delayNoticeWaitMs: number;
}

export const queueSettings = (config: Readonly<Config>): QueueSettings => ({
  prefix: config.REDIS_PREFIX,
  webhookAttempts: config.WEBHOOK_MAX_ATTEMPTS,
  webhookBackoffMs: config.WEBHOOK_BACKOFF_MS,
  delayNoticeWaitMs: config.DELAY_NOTICE_WAIT_MS,
});

/** A producer's own connection: no offline queue and one try per command, so a dead Redis is an error at once. */
export function producerConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

const DAY_S = 24 * 3600;
// Finished jobs stay long enough for their ids to keep absorbing duplicate enqueues (activity retries).
const KEEP = { removeOnComplete: { age: 7 * DAY_S, count: 100_000 }, removeOnFail: { age: 30 * DAY_S } } satisfies JobsOptions;
const OP_DEADLINE_MS = 3000;

export const notificationJobId = (deliveryId: string, seq: number, channel: string) => `${deliveryId}:${seq}:${channel}`;
// BullMQ allows at most two colons in a custom id, hence `webhook-<endpointId>` as the channel.
export const webhookJobId = (deliveryId: string, seq: number, endpointId: string) => `${deliveryId}:${seq}:webhook-${endpointId}`;

export interface QueueProducer {
  notify(jobs: Array<{ id: string; data: NotificationJobData; delayMs?: number }>): Promise<void>;
  sendWebhooks(jobs: Array<{ id: string; data: WebhookJobData }>): Promise<void>;
  /** Runs a waiting delayed notification now (the message it waited for has arrived). */
  promoteNotification(id: string): Promise<void>;
  /** Sends a webhook message again with the same id; a finished job is retried, a removed one re-added. */
  redeliverWebhook(id: string, data: WebhookJobData): Promise<'queued' | 'in_progress'>;
  jobCounts(): Promise<Record<QueueName, Record<string, number>>>;
  oldestWaitingAgeSeconds(): Promise<Record<QueueName, number>>;
  close(): Promise<void>;
}

export function createQueueProducer(redis: Redis, settings: QueueSettings): QueueProducer {
  let queues: Record<QueueName, Queue> | undefined;

  async function ready(): Promise<Record<QueueName, Queue>> {
    if (redis.status === 'wait') redis.connect().catch(() => {});
    if (['wait', 'connecting', 'connect'].includes(redis.status)) {
      // A connection still being made gets a moment; a lost one does not.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, 1000);
        redis.once('ready', done);
      });
    }
    if (redis.status !== 'ready') throw new QueueUnavailableError(`Redis is not connected (${redis.status})`);
    if (!queues) {
      const make = (name: QueueName) => {
        const q = new Queue(name, { connection: redis, prefix: settings.prefix });
        // The connection's owner logs its errors; a Queue without a listener would crash the process.
        q.on('error', () => {});
        return q;
      };
      queues = { notifications: make(NOTIFICATIONS_QUEUE), webhooks: make(WEBHOOKS_QUEUE) };
    }
    return queues;
  }

  async function run<T>(what: string, op: (q: Record<QueueName, Queue>) => Promise<T>): Promise<T> {
    const q = await ready();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        op(q),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${OP_DEADLINE_MS} ms`)), OP_DEADLINE_MS))),
      ]);
    } catch (err) {
      const connectionLost = redis.status !== 'ready' || /writeable|Connection is closed|MaxRetriesPerRequest|took over/i.test(String(err));
      if (!connectionLost) throw err;
      // A queue whose first handshake failed stays broken: build fresh ones on the next call.
      if (queues === q) {
        queues = undefined;
        void Promise.all(Object.values(q).map((x) => x.close().catch(() => {})));
      }
      throw err instanceof QueueUnavailableError ? err : new QueueUnavailableError(`${what} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async notify(jobs) {
      if (jobs.length === 0) return;
      await run('enqueue notifications', (q) =>
        q.notifications.addBulk(jobs.map((j) => ({
          name: j.data.template,
          data: j.data,
          opts: { jobId: j.id, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, ...(j.delayMs ? { delay: j.delayMs } : {}), ...KEEP },
        }))));
    },

    async sendWebhooks(jobs) {
      if (jobs.length === 0) return;
      await run('enqueue webhooks', (q) =>
        q.webhooks.addBulk(jobs.map((j) => ({ name: j.data.eventType, data: j.data, opts: webhookOptions(j.id, settings) }))));
    },

    async promoteNotification(id) {
      await run('promote notification', async (q) => {
        const job = await q.notifications.getJob(id);
        if (!job || (await job.getState()) !== 'delayed') return;
        // It may have become due in between; that is the same outcome.
        await job.promote().catch(async (err) => {
          if ((await job.getState()) === 'delayed') throw err;
        });
      });
    },

    async redeliverWebhook(id, data) {
      return run('redeliver webhook', async (q) => {
        const job = await q.webhooks.getJob(id);
        if (!job) {
          await q.webhooks.add(data.eventType, data, webhookOptions(id, settings));
          return 'queued';
        }
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') {
          await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
          return 'queued';
        }
        return 'in_progress';
      });
    },

    async jobCounts() {
      return run('count jobs', async (q) => ({
        notifications: await q.notifications.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
        webhooks: await q.webhooks.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      }));
    },

    async oldestWaitingAgeSeconds() {
      return run('read oldest job', async (q) => {
        const age = async (queue: Queue) => {
          const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
          return oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0;
        };
        return { notifications: await age(q.notifications), webhooks: await age(q.webhooks) };
      });
    },

    async close() {
      const q = queues;
      queues = undefined;
      if (q) await Promise.all(Object.values(q).map((x) => x.close().catch(() => {})));
    },
  };
}

function webhookOptions(jobId: string, settings: QueueSettings): JobsOptions {
  return {
    jobId,
    attempts: settings.webhookAttempts,
    backoff: { type: 'exponential', delay: settings.webhookBackoffMs, jitter: 0.2 },
    ...KEEP,
  };
}
