/**
 * Live sessions remembered for a few seconds, so a signed-in client's every request does not query
 * Postgres for its session. Revoking a session evicts it here at once and on every other API instance
 * through Redis (`sessionsEndedChannel`); the time to live bounds how long a revocation can go unseen
 * when that message is lost.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Evictions } from '../evictions.js';
import { ShortLivedCache } from '../short-lived-cache.js';
import type { AuthUser } from '../types.js';

export const sessionsEndedChannel = (prefix: string) => `${prefix}:sessions:ended`;

const sessionsEndedSchema = z.strictObject({ sessionIds: z.array(z.uuid()).max(1000).optional(), userId: z.uuid().optional() });

/** What ended: some sign-ins (logout, refresh reuse) or every sign-in of an account (disabled). */
export type SessionsEnded = z.infer<typeof sessionsEndedSchema>;

/** How many sessions are remembered; the oldest goes first. */
const SESSIONS_KEPT = 10_000;

type Lookup = (userId: string, sessionId: string) => Promise<AuthUser | null>;

export class SessionCache {
  /** Keyed by session and account; only live sessions are kept: an ended one is asked about again, and stays ended. */
  private readonly cache: ShortLivedCache<AuthUser | null>;

  constructor(
    private readonly lookup: Lookup,
    ttlMs: number,
    max = SESSIONS_KEPT,
  ) {
    this.cache = new ShortLivedCache(ttlMs, max, (user) => user !== null);
  }

  async activeUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    const user = await this.cache.get(`${sessionId}:${userId}`, () => this.lookup(userId, sessionId));
    return user ? { ...user } : null;
  }

  /** The account of a live session this instance remembers, or undefined: then ask `activeUser`. */
  rememberedUser(userId: string, sessionId: string): AuthUser | undefined {
    const user = this.cache.peek(`${sessionId}:${userId}`);
    return user ? { ...user } : undefined;
  }

  /** Forgets what ended, on this instance only. */
  forget(ended: SessionsEnded): void {
    const sessionIds = new Set(ended.sessionIds ?? []);
    this.cache.forgetWhere((user) => user !== null && (sessionIds.has(user.sessionId ?? '') || user.id === ended.userId));
  }

  /** Forgets everything: after missing revocations (the Redis subscription was down). */
  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}

/** What this instance does with the sessions other instances announce as ended (see `listenForEvictions`). */
export function endedSessionsListener(
  sessions: { forgetSessions(ended: SessionsEnded): void; forgetAllSessions(): void },
  log: Pick<Logger, 'warn'>,
): Evictions {
  return {
    forget(message) {
      let parsed: SessionsEnded;
      try {
        parsed = sessionsEndedSchema.parse(JSON.parse(message));
      } catch {
        log.warn('unreadable ended-sessions announcement; forgetting every session');
        sessions.forgetAllSessions();
        return;
      }
      sessions.forgetSessions(parsed);
    },
    forgetAll: () => sessions.forgetAllSessions(),
  };
}
