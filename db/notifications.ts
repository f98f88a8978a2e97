/** The notification log: one row per job key, so a job that runs twice still leaves one notification. */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { NotificationView, RecipientKind } from '../domain/notifications.js';

export type { NotificationView };

interface Raw {
  id: string;
  deliveryId: string;
  seq: number;
  recipientKind: RecipientKind;
  recipientUserId: string | null;
  channel: 'log' | 'email';
  template: string;
  message: string;
  status: NotificationView['status'];
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const COLUMNS = `id, delivery_id AS "deliveryId", seq, recipient_kind AS "recipientKind", recipient_user_id AS "recipientUserId",
  channel, template, message, status, attempts, last_error AS "lastError", created_at AS "createdAt", sent_at AS "sentAt"`;

const toView = (r: Raw): NotificationView => ({
  id: r.id,
  deliveryId: r.deliveryId,
  seq: r.seq,
  recipient: { kind: r.recipientKind, userId: r.recipientUserId },
  channel: r.channel,
  template: r.template,
  message: r.message,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: new Date(r.createdAt).toISOString(),
  sentAt: r.sentAt ? new Date(r.sentAt).toISOString() : null,
});

export function createNotificationStore(sequelize: Sequelize) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });

  return {
    /** The row for a job, created once; a re-run finds the existing one (and its status). */
    async open(input: { jobKey: string; deliveryId: string; seq: number; recipientKind: RecipientKind; recipientUserId: string | null; template: string; message: string }) {
      await sequelize.query(
        `INSERT INTO notifications (id, job_key, delivery_id, seq, recipient_kind, recipient_user_id, template, message)
         VALUES (:id, :jobKey, :deliveryId, :seq, :recipientKind, :recipientUserId, :template, :message)
         ON CONFLICT (job_key) DO NOTHING`,
        { replacements: { id: randomUUID(), ...input } },
      );
      const [row] = await select<{ id: string; status: NotificationView['status'] }>('SELECT id, status FROM notifications WHERE job_key = :jobKey', { jobKey: input.jobKey });
      return row!;
    },

    async markSent(id: string, channel: 'log' | 'email', message: string) {
      await sequelize.query(
        `UPDATE notifications SET status = 'sent', channel = :channel, message = :message, attempts = attempts + 1, sent_at = now(), last_error = NULL WHERE id = :id`,
        { replacements: { id, channel, message } },
      );
    },

    async markFailed(id: string, error: string, final: boolean) {
      await sequelize.query(
        `UPDATE notifications SET attempts = attempts + 1, last_error = :error, status = CASE WHEN :final THEN 'failed' ELSE status END WHERE id = :id`,
        { replacements: { id, error, final } },
      );
    },

    /**
     * Customers and drivers see their own; dispatchers and admins see everything. In an organisation,
     * every member sees the customer messages of its deliveries, and nothing else.
     */
    async list(viewer: { id: string; role: string; organizationId?: string }, filter: { deliveryId?: string; limit: number }): Promise<NotificationView[]> {
      const everyone = viewer.role === 'dispatcher' || viewer.role === 'admin';
      const scope = viewer.organizationId
        ? "recipient_kind = 'customer' AND delivery_id IN (SELECT id FROM deliveries WHERE organization_id = :organization)"
        : everyone ? 'TRUE'
        : 'recipient_user_id = :viewer AND delivery_id NOT IN (SELECT id FROM deliveries WHERE organization_id IS NOT NULL AND customer_id = :viewer)';
      const where = [scope, filter.deliveryId ? 'delivery_id = :deliveryId' : 'TRUE'].join(' AND ');
      const rows = await select<Raw>(`SELECT ${COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, seq DESC LIMIT :limit`, {
        viewer: viewer.id,
        organization: viewer.organizationId ?? null,
        deliveryId: filter.deliveryId ?? null,
        limit: filter.limit,
      });
      return rows.map(toView);
    },

    // --- What the processor needs to address a message ---

    async userContact(userId: string): Promise<{ email: string; name: string } | null> {
      const [row] = await select<{ email: string; name: string }>('SELECT email, name FROM users WHERE id = :userId AND disabled_at IS NULL', { userId });
      return row ?? null;
    },

    async driverUser(driverId: string): Promise<{ userId: string; email: string } | null> {
      const [row] = await select<{ userId: string; email: string }>(
        'SELECT u.id AS "userId", u.email FROM drivers d JOIN users u ON u.id = d.user_id WHERE d.id = :driverId',
        { driverId },
      );
      return row ?? null;
    },

    dispatcherEmails(): Promise<string[]> {
      return select<{ email: string }>("SELECT email FROM users WHERE role = 'dispatcher' AND disabled_at IS NULL", {}).then((rows) => rows.map((r) => r.email));
    },

    /** The delivery code a `delivery_code` notice carries: filled in at sending, so queue data never holds it. */
    async deliveryCode(deliveryId: string): Promise<string | null> {
      const [row] = await select<{ code: string }>('SELECT code FROM delivery_codes WHERE delivery_id = :deliveryId', { deliveryId });
      return row?.code ?? null;
    },

    /** The AI-written customer message the workflow recorded after a delay, if it has. */
    async delayMessage(deliveryId: string, delayedSeq: number): Promise<string | null> {
      const [row] = await select<{ message: string }>(
        `SELECT data->>'message' AS message FROM delivery_events
         WHERE delivery_id = :deliveryId AND seq > :seq AND type = 'ai' AND data->>'use' = 'delay_message' AND data->>'message' <> ''
         ORDER BY seq LIMIT 1`,
        { deliveryId, seq: delayedSeq },
      );
      return row?.message ?? null;
    },

    /** The seq of the most recent `delayed` event before `seq`. */
    async latestDelayedSeq(deliveryId: string, beforeSeq: number): Promise<number | null> {
      const [row] = await select<{ seq: number }>(
        "SELECT seq FROM delivery_events WHERE delivery_id = :deliveryId AND type = 'delayed' AND seq < :seq ORDER BY seq DESC LIMIT 1",
        { deliveryId, seq: beforeSeq },
      );
      return row?.seq ?? null;
    },
  };
}
export type NotificationStore = ReturnType<typeof createNotificationStore>;
