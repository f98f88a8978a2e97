/**
 * `Idempotency-Key` on state-changing POSTs: the same key with the same body replays the first answer,
 * with another body is refused (422), and while the first is still running is refused (409).
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { IdempotencyStore } from '../db/idempotency-keys.js';
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

export function idempotency(keys: IdempotencyStore): Middleware<AppState & { idempotencyKey?: string }> {
  let nextPrune = 0;
  const claim = (userId: string, key: string, method: string, path: string, requestHash: string) => keys.claim({ userId, key, method, path, requestHash });

  const replayable: Middleware<AppState & { idempotencyKey?: string }> = async (ctx, next) => {
    const key = ctx.get('idempotency-key');
    const user = ctx.state.user!;
    if (!KEY.test(key)) throw new ValidationError([{ path: 'header.Idempotency-Key', message: '8–200 letters, digits or _.:-' }]);
    // A key belongs to whoever acts: an API key, an organisation, or the person, so one person's two
    // organisations (or two keys they made) never replay each other's answers.
    const stored = user.apiKey ? `apikey:${user.apiKey.id}:${key}` : user.organizationId ? `org:${user.organizationId}:${key}` : key;
    if (Date.now() > nextPrune) {
      nextPrune = Date.now() + IDEMPOTENCY.pruneEveryMs;
      await keys.pruneOlderThan(IDEMPOTENCY.retentionMs);
    }
    const requestHash = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify((ctx.request as unknown as { body?: unknown }).body ?? null)}`)
      .digest('hex');

    if (!(await claim(user.id, stored, ctx.method, ctx.path, requestHash))) {
      const row = await keys.find(user.id, stored);
      const stale = !row || row.ageMs > IDEMPOTENCY.retentionMs || (row.status === null && row.ageMs > IDEMPOTENCY.abandonedAfterMs);
      if (stale) {
        if (row) {
          await keys.release(user.id, stored, row.status === null ? IDEMPOTENCY.abandonedAfterMs : IDEMPOTENCY.retentionMs);
        }
        if (!(await claim(user.id, stored, ctx.method, ctx.path, requestHash))) {
          throw new ConflictError('a request with this Idempotency-Key is still in progress', 'IDEMPOTENCY_IN_PROGRESS');
        }
      } else {
        if (row.requestHash !== requestHash) {
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
      await keys.release(user.id, stored);
      throw err;
    }
    if (ctx.status >= 400) {
      await keys.release(user.id, stored);
      return;
    }
    await keys.answer(user.id, stored, ctx.status, ctx.body);
  };
  // Most requests carry no key: they pass without a promise of this middleware's own.
  return (ctx, next) => (ctx.get('idempotency-key') && ctx.method === 'POST' && ctx.state.user ? replayable(ctx, next) : next());
}
