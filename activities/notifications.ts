/**
 * The producer side of DESIGN §8: a TransitionHook that turns each committed transition into notification
 * jobs and one webhook job per subscribed endpoint. Job ids come from the event, so a transition published
 * again (the outbox relay's sweep) enqueues nothing twice; with Redis away it throws and the transition
 * stays in the outbox for the sweep.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import type { Database } from '../db/connection.js';
import { createNotificationStore } from '../db/notifications.js';
import { subscribersFor } from '../db/webhooks.js';
import type { Delivery, TransitionRecord } from '../domain/delivery.js';
import { ADMIN_WEBHOOK_EVENTS, endpointWants, isDelayMessage, plannedNotifications, webhookEventName } from '../domain/notifications.js';
import {
  createQueueProducer,
  notificationJobId,
  producerConnection,
  queueSettings,
  webhookJobId,
  type QueueProducer,
  type WebhookJobData,
} from '../adapters/queue-producer.js';
import type { TransitionHook } from './read-model.js';

export interface NotificationHookDeps {
  sequelize: Database;
  producer: QueueProducer;
  /** How long the delay notice waits for the AI-written message before going out with the standard text. */
  delayNoticeWaitMs: number;
}

/** The Standard Webhooks message id of one event: stable across retries and redeliveries. */
const webhookEventId = (deliveryId: string, seq: number) => `msg_${deliveryId}_${seq}`;

function webhookBody(record: TransitionRecord, delivery: Delivery): string {
  return JSON.stringify({
    type: webhookEventName(record.type),
    timestamp: record.at,
    data: {
      deliveryId: delivery.id,
      trackingCode: delivery.trackingCode,
      seq: record.seq,
      status: delivery.status,
      event: { seq: record.seq, type: record.type, at: record.at, actor: { kind: record.actor.kind }, data: record.data },
      delivery,
    },
  });
}

const webhookTypes: readonly string[] = ADMIN_WEBHOOK_EVENTS;

function createNotificationHook(deps: NotificationHookDeps): TransitionHook {
  const notifications = createNotificationStore(deps.sequelize);

  return async (record, delivery) => {
    const plans = plannedNotifications(record, delivery);
    const endpoints = webhookTypes.includes(record.type)
      ? (await subscribersFor(deps.sequelize, delivery)).filter((e) => endpointWants(e.events, e.ownerRole, record.type))
      : [];

    const body = endpoints.length > 0 ? webhookBody(record, delivery) : '';
    const webhookJobs = endpoints.map((e) => {
      const data: WebhookJobData = {
        endpointId: e.id,
        eventId: webhookEventId(delivery.id, record.seq),
        eventType: webhookEventName(record.type),
        deliveryId: delivery.id,
        seq: record.seq,
        body,
        ...(record.actor.requestId ? { requestId: record.actor.requestId } : {}),
      };
      return { id: webhookJobId(delivery.id, record.seq, e.id), data };
    });

    await Promise.all([
      deps.producer.notify(plans.map((p) => ({
        id: notificationJobId(delivery.id, record.seq, p.channel),
        data: {
          deliveryId: delivery.id,
          seq: record.seq,
          eventType: record.type,
          trackingCode: delivery.trackingCode,
          recipient: p.recipient,
          template: p.template,
          message: p.message,
          ...(p.awaitsDelayMessage ? { awaitsDelayMessage: true } : {}),
          ...(record.actor.requestId ? { requestId: record.actor.requestId } : {}),
        },
        ...(p.awaitsDelayMessage ? { delayMs: deps.delayNoticeWaitMs } : {}),
      }))),
      deps.producer.sendWebhooks(webhookJobs),
    ]);

    // The delay notice was held back for this message: send it now.
    if (isDelayMessage(record)) {
      const delayedSeq = await notifications.latestDelayedSeq(delivery.id, record.seq);
      if (delayedSeq !== null) await deps.producer.promoteNotification(notificationJobId(delivery.id, delayedSeq, 'customer'));
    }
  };
}

/** The hook with its own fail-fast Redis connection, as a worker process wires it. */
export function notificationHookFor(config: Readonly<Config>, sequelize: Database, logger?: Logger): { hook: TransitionHook; close(): Promise<void> } {
  const redis = producerConnection(config.REDIS_URL);
  redis.on('error', (err) => logger?.warn({ err: err.message }, 'notification queue connection problem'));
  const producer = createQueueProducer(redis, queueSettings(config));
  return {
    hook: createNotificationHook({ sequelize, producer, delayNoticeWaitMs: config.DELAY_NOTICE_WAIT_MS }),
    async close() {
      await producer.close();
      redis.disconnect();
    },
  };
}
