/**
 * Updates whose answer the API is to record (migration 20261205090000): opened before the Update is sent,
 * closed once its transitions are in the read model. Rows older than an Update's deadline are claimed by
 * one API instance at a time (`FOR UPDATE SKIP LOCKED`), each claim for `claimMs`.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';

/** When the APIs check an open Update against its delivery: past the Update deadline (10 s), every 5 s. */
export const UPDATE_CHECKS = { afterMs: 15_000, everyMs: 5_000 } as const;

export interface UpdateInFlight {
  id: string;
  deliveryId: string;
}

export async function openUpdate(sequelize: Sequelize, deliveryId: string): Promise<string> {
  const id = randomUUID();
  await sequelize.query('INSERT INTO delivery_updates_in_flight (id, delivery_id) VALUES (:id, :deliveryId)', { replacements: { id, deliveryId } });
  return id;
}

export async function closeUpdates(sequelize: Sequelize, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sequelize.query('DELETE FROM delivery_updates_in_flight WHERE id = ANY(CAST(:ids AS uuid[]))', { replacements: { ids: `{${ids.join(',')}}` } });
}

const CLAIM_STALE = `
  UPDATE delivery_updates_in_flight u SET claimed_until = now() + make_interval(secs => :claimSeconds), checks = u.checks + 1
  FROM (
    SELECT id FROM delivery_updates_in_flight
    WHERE sent_at < now() - make_interval(secs => :olderThanSeconds) AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY sent_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
  ) stale
  WHERE u.id = stale.id
  RETURNING u.id, u.delivery_id AS "deliveryId"`;

/** Claims Updates left open for longer than `olderThanMs`. */
export async function claimStaleUpdates(sequelize: Sequelize, options: { olderThanMs: number; claimMs: number; limit: number }): Promise<UpdateInFlight[]> {
  return sequelize.query<UpdateInFlight>(CLAIM_STALE, {
    type: QueryTypes.SELECT,
    replacements: { claimSeconds: options.claimMs / 1000, olderThanSeconds: options.olderThanMs / 1000, limit: options.limit },
  });
}

/** Which of these seqs the delivery's timeline holds. */
export async function recordedSeqs(sequelize: Sequelize, deliveryId: string, seqs: number[]): Promise<Set<number>> {
  if (seqs.length === 0) return new Set();
  const rows = await sequelize.query<{ seq: number }>('SELECT seq FROM delivery_events WHERE delivery_id = :deliveryId AND seq = ANY(CAST(:seqs AS integer[]))', {
    type: QueryTypes.SELECT,
    replacements: { deliveryId, seqs: `{${seqs.join(',')}}` },
  });
  return new Set(rows.map((r) => r.seq));
}

/** How many Updates wait for their answer to be recorded, and how old the oldest is. */
export async function updatesInFlight(sequelize: Sequelize): Promise<{ open: number; oldestSeconds: number }> {
  const [row] = await sequelize.query<{ open: string; oldest: number | null }>(
    'SELECT count(*) AS open, EXTRACT(EPOCH FROM now() - min(sent_at))::float8 AS oldest FROM delivery_updates_in_flight',
    { type: QueryTypes.SELECT },
  );
  return { open: Number(row?.open ?? 0), oldestSeconds: row?.oldest ?? 0 };
}
