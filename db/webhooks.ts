/** Webhook endpoints and their delivery log. Ownership is part of every owner-facing query. */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView } from '../domain/notifications.js';
import { ownerCondition, ownerReplacements, type Owner } from './owner.js';
import type { SecretBox } from './secret-box.js';

export type { WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView };

export interface Subscriber {
  id: string;
  events: string[];
  ownerRole: string;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

const deliveryColumns = (t = '') =>
  `${t}id, ${t}endpoint_id AS "webhookId", ${t}event_id AS "eventId", ${t}event_type AS "eventType", ${t}delivery_id AS "deliveryId",
  ${t}seq, ${t}status, ${t}attempts, ${t}last_error AS "lastError", ${t}response_status AS "responseStatus",
  ${t}response_excerpt AS "responseExcerpt", ${t}created_at AS "createdAt", ${t}last_attempt_at AS "lastAttemptAt",
  ${t}delivered_at AS "deliveredAt", ${t}dead_at AS "deadAt"`;

type DeliveryRowRaw = Omit<WebhookDeliveryView, 'createdAt' | 'lastAttemptAt' | 'deliveredAt' | 'deadAt'> & {
  createdAt: Date; lastAttemptAt: Date | null; deliveredAt: Date | null; deadAt: Date | null;
};

const toDeliveryView = (r: DeliveryRowRaw): WebhookDeliveryView => ({
  ...r,
  createdAt: iso(r.createdAt)!,
  lastAttemptAt: iso(r.lastAttemptAt),
  deliveredAt: iso(r.deliveredAt),
  deadAt: iso(r.deadAt),
});

/**
 * Active endpoints that may hear about a delivery: its organisation's (or, for a personal one, its
 * customer's own personal endpoints), and every admin's.
 */
export function subscribersFor(sequelize: Sequelize, delivery: { customerId: string; organizationId?: string | null }): Promise<Subscriber[]> {
  const owner: Owner = { userId: delivery.customerId, organizationId: delivery.organizationId ?? null };
  return sequelize.query<Subscriber>(
    `SELECT e.id, e.events, u.role AS "ownerRole" FROM webhook_endpoints e JOIN users u ON u.id = e.owner_user_id
     WHERE e.active AND u.disabled_at IS NULL AND (${ownerCondition(owner, 'e', 'owner_user_id')} OR (u.role = 'admin' AND e.organization_id IS NULL))`,
    { type: QueryTypes.SELECT, replacements: ownerReplacements(owner) },
  );
}

export function createWebhookStore(sequelize: Sequelize, box: SecretBox) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });

  return {
    async createEndpoint(input: { owner: Owner; url: string; events: string[]; description?: string; secret: string }): Promise<WebhookEndpointView> {
      const [row] = await select<{ id: string; createdAt: Date }>(
        `INSERT INTO webhook_endpoints (id, owner_user_id, organization_id, url, events, description, secret_ciphertext)
         VALUES (:id, :owner, :org, :url, ARRAY[:events]::text[], :description, :sealed) RETURNING id, created_at AS "createdAt"`,
        { id: randomUUID(), owner: input.owner.userId, org: input.owner.organizationId, url: input.url, events: input.events, description: input.description ?? null, sealed: box.seal(input.secret) },
      );
      return {
        id: row!.id, url: input.url, events: input.events, description: input.description ?? null, active: true,
        createdAt: iso(row!.createdAt)!, pendingDeliveries: 0, deadDeliveries: 0,
      };
    },

    async listEndpoints(owner: Owner): Promise<WebhookEndpointView[]> {
      const rows = await select<Omit<WebhookEndpointView, 'createdAt'> & { createdAt: Date }>(
        `SELECT e.id, e.url, e.events, e.description, e.active, e.created_at AS "createdAt",
           COUNT(d.id) FILTER (WHERE d.status = 'pending')::int AS "pendingDeliveries",
           COUNT(d.id) FILTER (WHERE d.status = 'dead')::int AS "deadDeliveries"
         FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
         WHERE ${ownerCondition(owner, 'e', 'owner_user_id')} GROUP BY e.id ORDER BY e.created_at DESC`,
        ownerReplacements(owner),
      );
      return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)! }));
    },

    async deleteEndpoint(id: string, owner: Owner): Promise<boolean> {
      const rows = await select<{ id: string }>(`DELETE FROM webhook_endpoints e WHERE e.id = :id AND ${ownerCondition(owner, 'e', 'owner_user_id')} RETURNING e.id`, { id, ...ownerReplacements(owner) });
      return rows.length > 0;
    },

    /** null when the endpoint is not the owner's (or does not exist). */
    async listDeliveries(endpointId: string, owner: Owner, filter: { status?: WebhookDeliveryStatus; limit: number }): Promise<WebhookDeliveryView[] | null> {
      const owned = await select(`SELECT 1 FROM webhook_endpoints e WHERE e.id = :id AND ${ownerCondition(owner, 'e', 'owner_user_id')}`, { id: endpointId, ...ownerReplacements(owner) });
      if (owned.length === 0) return null;
      const rows = await select<DeliveryRowRaw>(
        `SELECT ${deliveryColumns()} FROM webhook_deliveries WHERE endpoint_id = :id ${filter.status ? 'AND status = :status' : ''}
         ORDER BY created_at DESC, seq DESC LIMIT :limit`,
        { id: endpointId, status: filter.status ?? null, limit: filter.limit },
      );
      return rows.map(toDeliveryView);
    },

    /** Sets an owner's delivery back to pending for a manual redelivery; returns what the job needs. */
    async reopenDelivery(endpointId: string, webhookDeliveryId: string, owner: Owner) {
      const [row] = await select<DeliveryRowRaw & { payload: string }>(
        `UPDATE webhook_deliveries d SET status = 'pending', dead_at = NULL
         FROM webhook_endpoints e
         WHERE d.id = :wid AND d.endpoint_id = :id AND e.id = d.endpoint_id AND ${ownerCondition(owner, 'e', 'owner_user_id')}
         RETURNING ${deliveryColumns('d.')}, d.payload`,
        { wid: webhookDeliveryId, id: endpointId, ...ownerReplacements(owner) },
      );
      return row ? { view: toDeliveryView(row), payload: row.payload } : null;
    },

    // --- Producer and processor side ---

    async endpointForSend(id: string): Promise<{ url: string; secret: string } | null> {
      const [row] = await select<{ url: string; sealed: string }>(
        'SELECT url, secret_ciphertext AS sealed FROM webhook_endpoints WHERE id = :id AND active',
        { id },
      );
      return row ? { url: row.url, secret: box.open(row.sealed) } : null;
    },

    /** The delivery's row, created on its first attempt; the unique (endpoint, event) keeps it single. */
    async openAttempt(input: { endpointId: string; eventId: string; eventType: string; deliveryId: string; seq: number; payload: string }) {
      await sequelize.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, delivery_id, seq, payload)
         VALUES (:id, :endpointId, :eventId, :eventType, :deliveryId, :seq, :payload) ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
        { replacements: { id: randomUUID(), ...input } },
      );
      const [row] = await select<{ id: string; status: WebhookDeliveryStatus }>(
        'SELECT id, status FROM webhook_deliveries WHERE endpoint_id = :endpointId AND event_id = :eventId',
        { endpointId: input.endpointId, eventId: input.eventId },
      );
      return row!;
    },

    async recordOutcome(id: string, outcome: { delivered: boolean; dead?: boolean; error?: string; responseStatus?: number; excerpt?: string }) {
      await sequelize.query(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(),
           response_status = :status, response_excerpt = :excerpt, last_error = :error,
           status = CASE WHEN :delivered THEN 'delivered' WHEN :dead THEN 'dead' ELSE status END,
           delivered_at = CASE WHEN :delivered THEN now() ELSE delivered_at END,
           dead_at = CASE WHEN :dead AND NOT :delivered THEN now() ELSE dead_at END
         WHERE id = :id`,
        {
          replacements: {
            id, delivered: outcome.delivered, dead: outcome.dead ?? false, error: outcome.error ?? null,
            status: outcome.responseStatus ?? null, excerpt: outcome.excerpt ?? null,
          },
        },
      );
    },

    /** Dead-letters a delivery whose job failed without reaching the processor's own bookkeeping. */
    async markDead(endpointId: string, eventId: string, error: string) {
      await sequelize.query(
        `UPDATE webhook_deliveries SET status = 'dead', dead_at = now(), last_error = COALESCE(last_error, :error)
         WHERE endpoint_id = :endpointId AND event_id = :eventId AND status = 'pending'`,
        { replacements: { endpointId, eventId, error } },
      );
    },
  };
}
export type WebhookStore = ReturnType<typeof createWebhookStore>;
