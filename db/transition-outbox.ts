/**
 * The outbox of recorded transitions waiting to be published (migration 20261204150000). The relay of
 * the worker that recorded a transition publishes it at once and clears it; rows left behind (a Redis
 * outage, a worker that died) are claimed by any worker's relay once they are `olderThanMs` old, each
 * claim for `claimMs`, so two relays never sweep the same rows at once. A relay sweeps only its own group
 * (its workers' task queue), whose workers publish to the same Redis with the same hooks.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { TransitionRecord } from '../domain/delivery.js';

/** The outbox group of transitions recorded outside the workers of a task queue (by the API). */
export const callerGroupOf = (taskQueue: string) => `${taskQueue}:caller`;

/** Where an API announces transitions it queued for the relays of its task queue. */
export const relayNoticeChannel = (prefix: string) => `${prefix}:outbox:queued`;

export interface OutboxKey {
  deliveryId: string;
  seq: number;
}

const CLAIM_STALE = `
  UPDATE delivery_outbox o SET claimed_until = now() + make_interval(secs => :claimSeconds), sweeps = o.sweeps + 1
  FROM (
    SELECT delivery_id, seq FROM delivery_outbox
    WHERE relay_group = :group AND enqueued_at < now() - make_interval(secs => :olderThanSeconds) AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY delivery_id, seq
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
  ) stale
  WHERE o.delivery_id = stale.delivery_id AND o.seq = stale.seq
  RETURNING o.record`;

/** Claims the oldest rows nobody published; their records, in `seq` order per delivery. */
export async function claimStale(sequelize: Sequelize, options: { group: string; olderThanMs: number; claimMs: number; limit: number }): Promise<TransitionRecord[]> {
  const rows = await sequelize.query<{ record: TransitionRecord }>(CLAIM_STALE, {
    type: QueryTypes.SELECT,
    replacements: { group: options.group, claimSeconds: options.claimMs / 1000, olderThanSeconds: options.olderThanMs / 1000, limit: options.limit },
  });
  return rows.map((r) => r.record).sort((a, b) => (a.deliveryId === b.deliveryId ? a.seq - b.seq : a.deliveryId < b.deliveryId ? -1 : 1));
}

/** Hands claimed rows back at once (their publish failed), so the next sweep may try them again. */
export async function releaseClaims(sequelize: Sequelize, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await sequelize.query('UPDATE delivery_outbox SET claimed_until = NULL WHERE delivery_id = ANY(CAST(:ids AS uuid[]))', {
    replacements: { ids: `{${deliveryIds.join(',')}}` },
  });
}

/** Removes published transitions. */
export async function clearPublished(sequelize: Sequelize, keys: OutboxKey[]): Promise<void> {
  if (keys.length === 0) return;
  await sequelize.query(
    `DELETE FROM delivery_outbox o USING unnest(CAST(:ids AS uuid[]), CAST(:seqs AS integer[])) AS k(delivery_id, seq)
     WHERE o.delivery_id = k.delivery_id AND o.seq = k.seq`,
    { replacements: { ids: `{${keys.map((k) => k.deliveryId).join(',')}}`, seqs: `{${keys.map((k) => k.seq).join(',')}}` } },
  );
}

/** How many transitions wait to be published, and how old the oldest is. */
export async function outboxBacklog(sequelize: Sequelize): Promise<{ waiting: number; oldestSeconds: number }> {
  const [row] = await sequelize.query<{ waiting: string; oldest: number | null }>(
    'SELECT count(*) AS waiting, EXTRACT(EPOCH FROM now() - min(enqueued_at))::float8 AS oldest FROM delivery_outbox',
    { type: QueryTypes.SELECT },
  );
  return { waiting: Number(row?.waiting ?? 0), oldestSeconds: row?.oldest ?? 0 };
}
