/**
 * Live sessions remembered for a few seconds, so a signed-in client's every request does not query
 * Postgres for its session. Revoking a session evicts it here at once and on every other API instance
 * through Redis (`sessionsEndedChannel`); the time to live bounds how long a revocation can go unseen
 * when that message is lost.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthUser } from '../types.js';

export const sessionsEndedChannel = (prefix: string) => `${prefix}:sessions:ended`;

const sessionsEndedSchema = z.strictObject({ sessionIds: z.array(z.uuid()).max(1000).optional(), userId: z.uuid().optional() });

/** What ended: some sign-ins (logout, refresh reuse) or every sign-in of an account (disabled). */
export type SessionsEnded = z.infer<typeof sessionsEndedSchema>;

/** How many sessions are remembered; the oldest goes first. */
export const SESSIONS_KEPT = 10_000;

type Lookup = (userId: string, sessionId: string) => Promise<AuthUser | null>;

export class SessionCache {
  private readonly known = new Map<string, { user: AuthUser; until: number }>();
  private readonly inFlight = new Map<string, Promise<AuthUser | null>>();
  /** Bumped by every eviction: a lookup that started before one may have read a session just revoked. */
  private generation = 0;

  constructor(
    private readonly lookup: Lookup,
    private readonly ttlMs: number,
    private readonly max = SESSIONS_KEPT,
  ) {}

  async activeUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    if (this.ttlMs <= 0) return this.lookup(userId, sessionId);
    const known = this.known.get(sessionId);
    if (known && known.user.id === userId && Date.now() < known.until) return { ...known.user };
    const key = `${sessionId}:${userId}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      const lookup: Promise<AuthUser | null> = this.remember(userId, sessionId).finally(() => {
        if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
      });
      this.inFlight.set(key, lookup);
      pending = lookup;
    }
    const user = await pending;
    return user ? { ...user } : null;
  }

  /** Forgets what ended, on this instance only. */
  forget(ended: SessionsEnded): void {
    this.generation += 1;
    this.inFlight.clear();
    for (const id of ended.sessionIds ?? []) this.known.delete(id);
    if (ended.userId) {
      for (const [id, entry] of this.known) if (entry.user.id === ended.userId) this.known.delete(id);
    }
  }

  /** Forgets everything: after missing revocations (the Redis subscription was down). */
  clear(): void {
    this.generation += 1;
    this.inFlight.clear();
    this.known.clear();
  }

  get size(): number {
    return this.known.size;
  }

  private async remember(userId: string, sessionId: string): Promise<AuthUser | null> {
    const generation = this.generation;
    const started = Date.now();
    const user = await this.lookup(userId, sessionId);
    // Only live sessions are kept: an ended one is asked about again, and stays ended.
    if (user && generation === this.generation) {
      this.known.delete(sessionId);
      if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
      this.known.set(sessionId, { user, until: started + this.ttlMs });
    }
    return user;
  }
}

/**
 * Listens for sessions other instances ended. After the subscription was down (Redis restarted, the
 * connection dropped), announcements may have been missed, so everything remembered is forgotten.
 * Returns the connection to close.
 */
export function listenForEndedSessions(
  redis: Redis,
  prefix: string,
  sessions: { forgetSessions(ended: SessionsEnded): void; forgetAllSessions(): void },
  log: Pick<Logger, 'warn'>,
): Redis {
  const channel = sessionsEndedChannel(prefix);
  const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'ended-sessions subscription problem'));
  // On every (re)connection: whatever was announced while the subscription was down went unheard.
  subscriber.on('ready', () => sessions.forgetAllSessions());
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let parsed: SessionsEnded;
    try {
      parsed = sessionsEndedSchema.parse(JSON.parse(message));
    } catch {
      log.warn({ channel }, 'unreadable ended-sessions announcement; forgetting every session');
      sessions.forgetAllSessions();
      return;
    }
    sessions.forgetSessions(parsed);
  });
  void subscriber.subscribe(channel).catch((err: Error) => log.warn({ err: err.message }, 'ended-sessions subscription failed'));
  return subscriber;
}
