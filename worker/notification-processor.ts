/** Delivers notification jobs: always into the notification log (what the pages show), by e-mail when SMTP is set. */
import type { Job } from 'bullmq';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { NotificationJobData } from '../adapters/queue-producer.js';
import type { NotificationStore } from '../db/notifications.js';
import { DELIVERY_CODE_PLACEHOLDER } from '../domain/notifications.js';

export interface NotificationProcessorDeps {
  store: NotificationStore;
  logger: Logger;
  mailer?: Transporter;
  from: string;
}

const SUBJECTS: Record<string, string> = {
  quote_ready: 'your quote is ready',
  driver_assigned: 'a driver is assigned',
  picked_up: 'picked up and on its way',
  delayed: 'running late',
  delivered: 'delivered',
  attempt_failed: 'delivery attempt failed',
  cancelled: 'cancelled',
  offer: 'new delivery offer',
  assigned: 'assigned to you',
  reassigned_away: 'reassigned to another driver',
  delivery_cancelled: 'cancelled',
  alert: 'needs attention',
  delivery_code: 'your delivery code',
};

export function notificationProcessor(deps: NotificationProcessorDeps) {
  const { store, logger, mailer } = deps;

  async function addressOf(data: NotificationJobData): Promise<{ userId: string | null; to: string[] }> {
    const { recipient } = data;
    if (recipient.kind === 'driver' && recipient.driverId) {
      const user = await store.driverUser(recipient.driverId);
      return { userId: user?.userId ?? null, to: user ? [user.email] : [] };
    }
    if (recipient.kind === 'customer' && recipient.userId) {
      const contact = mailer ? await store.userContact(recipient.userId) : null;
      return { userId: recipient.userId, to: contact ? [contact.email] : [] };
    }
    return { userId: null, to: mailer ? await store.dispatcherEmails() : [] };
  }

  return async (job: Job<NotificationJobData>) => {
    const data = job.data;
    const { userId, to } = await addressOf(data);
    const row = await store.open({
      jobKey: job.id!,
      deliveryId: data.deliveryId,
      seq: data.seq,
      recipientKind: data.recipient.kind,
      recipientUserId: userId,
      template: data.template,
      message: data.message,
    });
    // A re-run after a crash between sending and acknowledging: the notification already went out.
    if (row.status === 'sent') return { notificationId: row.id, skipped: 'already sent' };

    let message = data.awaitsDelayMessage ? ((await store.delayMessage(data.deliveryId, data.seq)) ?? data.message) : data.message;
    if (data.template === 'delivery_code') message = message.replace(DELIVERY_CODE_PLACEHOLDER, (await store.deliveryCode(data.deliveryId)) ?? '(ask the sender)');
    try {
      let channel: 'log' | 'email' = 'log';
      if (mailer && to.length > 0) {
        await mailer.sendMail({
          from: deps.from,
          // Dispatchers share one alert; none of them sees the others' addresses.
          ...(data.recipient.kind === 'dispatcher' ? { to: deps.from, bcc: to } : { to }),
          subject: `Delivery ${data.trackingCode}: ${SUBJECTS[data.template] ?? data.template.replace(/_/g, ' ')}`,
          text: message,
          // Mail clients fold a resend after a crash into the first copy.
          messageId: `<${job.id!.replace(/:/g, '.')}@logistics-platform>`,
        });
        channel = 'email';
      }
      await store.markSent(row.id, channel, message);
      logger.info({ notificationId: row.id, deliveryId: data.deliveryId, requestId: data.requestId, template: data.template, recipient: data.recipient.kind, channel }, 'notification sent');
      return { notificationId: row.id, channel };
    } catch (err) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await store.markFailed(row.id, (err as Error).message, final);
      throw err;
    }
  };
}
