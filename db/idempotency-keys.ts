/** Idempotency keys: the first answer to a state-changing request, kept to replay to its retries. */
import { QueryTypes, type Sequelize } from 'sequelize';

export interface StoredKey {
  requestHash: string;
  /** Null while the first request is still running. */
  status: number | null;
  response: unknown;
  ageMs: number;
}

export function createIdempotencyStore(sequelize: Sequelize) {
  return {
    /** Takes the key for a request; false when someone holds it already. */
    async claim(key: { userId: string; key: string; method: string; path: string; requestHash: string }): Promise<boolean> {
      const inserted = await sequelize.query<{ key: string }>(
        `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES (:userId, :key, :method, :path, :requestHash)
         ON CONFLICT DO NOTHING RETURNING key`,
        { type: QueryTypes.SELECT, replacements: key },
      );
      return inserted.length > 0;
    },

    async find(userId: string, key: string): Promise<StoredKey | null> {
      const [row] = await sequelize.query<StoredKey>(
        `SELECT request_hash AS "requestHash", status, response, (EXTRACT(EPOCH FROM now() - created_at) * 1000)::float8 AS "ageMs"
           FROM idempotency_keys WHERE user_id = :userId AND key = :key`,
        { type: QueryTypes.SELECT, replacements: { userId, key } },
      );
      return row ?? null;
    },

    /** Frees a key; with `olderThanMs`, only when it was taken at least that long ago (so a fresh claim survives). */
    async release(userId: string, key: string, olderThanMs?: number): Promise<void> {
      if (olderThanMs === undefined) {
        await sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key', { replacements: { userId, key } });
        return;
      }
      await sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key AND created_at < now() - make_interval(secs => :secs)', {
        replacements: { userId, key, secs: olderThanMs / 1000 },
      });
    },

    async answer(userId: string, key: string, status: number, response: unknown): Promise<void> {
      await sequelize.query('UPDATE idempotency_keys SET status = :status, response = CAST(:response AS jsonb) WHERE user_id = :userId AND key = :key', {
        replacements: { status, response: JSON.stringify(response ?? null), userId, key },
      });
    },

    async pruneOlderThan(ms: number): Promise<void> {
      await sequelize.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => :secs)', { replacements: { secs: ms / 1000 } });
    },
  };
}
export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
