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

export function idempotency(sequelize: Sequelize): Middleware<AppState & { idempotencyKey?: string }> {
  return async (ctx, next) => {
    const key = ctx.get('idempotency-key');
    const user = ctx.state.user;
    if (!key || ctx.method !== 'POST' || !user) return next();
    if (!KEY.test(key)) throw new ValidationError([{ path: 'header.Idempotency-Key', message: '8–200 letters, digits or _.:-' }]);
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify((ctx.request as unknown as { body?: unknown }).body ?? null)}`)
      .digest('hex');
    const inserted = await sequelize.query<{ key: string }>(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES (:userId, :key, :method, :path, :requestHash)
       ON CONFLICT DO NOTHING RETURNING key`,
      { type: QueryTypes.SELECT, replacements: { userId: user.id, key, method: ctx.method, path: ctx.path, requestHash } },
    );
    if (inserted.length === 0) {
      const [row] = await sequelize.query<{ request_hash: string; status: number | null; response: unknown }>(
        'SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = :userId AND key = :key',
        { type: QueryTypes.SELECT, replacements: { userId: user.id, key } },
      );
      if (!row) throw new ConflictError('the first request with this key is finishing; retry', 'IDEMPOTENCY_IN_PROGRESS');
      if (row.request_hash !== requestHash) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
      }
      if (row.status === null) throw new ConflictError('a request with this Idempotency-Key is still in progress', 'IDEMPOTENCY_IN_PROGRESS');
      ctx.status = row.status;
      ctx.body = row.response;
      ctx.set('Idempotent-Replayed', 'true');
      return;
    }
    ctx.state.idempotencyKey = key;
    try {
      await next();
    } catch (err) {
      // A failure before an answer was stored must not pin the key: the client may retry it.
      await sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key', { replacements: { userId: user.id, key } });
      throw err;
    }
    await sequelize.query('UPDATE idempotency_keys SET status = :status, response = :response WHERE user_id = :userId AND key = :key', {
      replacements: { status: ctx.status, response: JSON.stringify(ctx.body ?? null), userId: user.id, key },
    });
  };
}
