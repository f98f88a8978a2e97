/**
 * `Idempotency-Key` on state-changing POSTs: the same key with the same body replays the first answer,
 * with another body is refused (422), and while the first is still running is refused (409).
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AppError, ConflictError, ValidationError } from './errors.js';
import type { AppState } from './types.js';

const KEY = /^[A-Za-z0-9_.:-]{8,200}$/;

const IDEMPOTENCY = {
  /** How long a stored answer is replayed; after that the key is free again. */
  retentionMs: 24 * 3600_000,
  /**
   * A key still "in progress" after this long belongs to a request whose process died: it may be taken
   * over. Taking over early is safe: the retry carries the same Temporal Update id (or delivery id), so
   * Temporal applies it once; the wait only spares a live first request a duplicate round trip.
   */
  abandonedAfterMs: 20_000,
  pruneEveryMs: 10 * 60_000,
} as const;

interface KeyRow {
  request_hash: string;
  status: number | null;
  response: unknown;
  age_ms: number;
}

export function idempotency(sequelize: Sequelize): Middleware<AppState & { idempotencyKey?: string }> {
  let nextPrune = 0;

  const claim = async (userId: string, key: string, method: string, path: string, requestHash: string): Promise<boolean> => {
    const inserted = await sequelize.query<{ key: string }>(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES (:userId, :key, :method, :path, :requestHash)
       ON CONFLICT DO NOTHING RETURNING key`,
      { type: QueryTypes.SELECT, replacements: { userId, key, method, path, requestHash } },
    );
    return inserted.length > 0;
  };
  const release = (userId: string, key: string) =>
    sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key', { replacements: { userId, key } });

  return async (ctx, next) => {
    const key = ctx.get('idempotency-key');
    const user = ctx.state.user;
    if (!key || ctx.method !== 'POST' || !user) return next();
    if (!KEY.test(key)) throw new ValidationError([{ path: 'header.Idempotency-Key', message: '8–200 letters, digits or _.:-' }]);
    // A key belongs to whoever acts: an API key, an organisation, or the person, so one person's two
    // organisations (or two keys they made) never replay each other's answers.
    const stored = user.apiKey ? `apikey:${user.apiKey.id}:${key}` : user.organizationId ? `org:${user.organizationId}:${key}` : key;
    if (Date.now() > nextPrune) {
      nextPrune = Date.now() + IDEMPOTENCY.pruneEveryMs;
      await sequelize.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => :secs)', {
        replacements: { secs: IDEMPOTENCY.retentionMs / 1000 },
      });
    }
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify((ctx.request as unknown as { body?: unknown }).body ?? null)}`)
      .digest('hex');

    if (!(await claim(user.id, stored, ctx.method, ctx.path, requestHash))) {
      const [row] = await sequelize.query<KeyRow>(
        `SELECT request_hash, status, response, (EXTRACT(EPOCH FROM now() - created_at) * 1000)::float8 AS age_ms
           FROM idempotency_keys WHERE user_id = :userId AND key = :key`,
        { type: QueryTypes.SELECT, replacements: { userId: user.id, key: stored } },
      );
      const stale = !row || row.age_ms > IDEMPOTENCY.retentionMs || (row.status === null && row.age_ms > IDEMPOTENCY.abandonedAfterMs);
      if (stale) {
        if (row) {
          await sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key AND created_at < now() - make_interval(secs => :secs)', {
            replacements: { userId: user.id, key: stored, secs: (row.status === null ? IDEMPOTENCY.abandonedAfterMs : IDEMPOTENCY.retentionMs) / 1000 },
          });
        }
        if (!(await claim(user.id, stored, ctx.method, ctx.path, requestHash))) {
          throw new ConflictError('a request with this Idempotency-Key is still in progress', 'IDEMPOTENCY_IN_PROGRESS');
        }
      } else {
        if (row.request_hash !== requestHash) {
          throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
        }
        if (row.status === null) throw new ConflictError('a request with this Idempotency-Key is still in progress', 'IDEMPOTENCY_IN_PROGRESS');
        ctx.status = row.status;
        ctx.body = row.response;
        ctx.set('Idempotent-Replayed', 'true');
        return;
      }
    }

    ctx.state.idempotencyKey = key;
    try {
      await next();
    } catch (err) {
      // A failure before an answer was stored must not pin the key: the client may retry it.
      await release(user.id, stored);
      throw err;
    }
    if (ctx.status >= 400) {
      await release(user.id, stored);
      return;
    }
    await sequelize.query('UPDATE idempotency_keys SET status = :status, response = CAST(:response AS jsonb) WHERE user_id = :userId AND key = :key', {
      replacements: { status: ctx.status, response: JSON.stringify(ctx.body ?? null), userId: user.id, key: stored },
    });
  };
}
