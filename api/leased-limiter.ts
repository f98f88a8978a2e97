/**
 * The per-request limit without a Redis round trip per request. A key that spends its points quickly
 * reserves several of its shared (Redis) points at once — a lease — and spends them in this process;
 * a key that sends a request now and then still spends one shared point per request.
 *
 * - Nothing is admitted that the shared budget has not granted: a lease is taken from it before use.
 * - A lease lasts `leaseMs` at most and never outlives the shared window; what is left of it then goes
 *   back to the shared budget, so a key is charged for the requests it made.
 * - A lease doubles while the key spends it before it runs out (1, 2, 4 … `maxLease`), and a key near
 *   its limit goes back to one point at a time, so the limit is exact for one instance. With several
 *   instances, points one holds for up to `leaseMs` may refuse a key on another a little early.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

interface Lease {
  size: number;
  left: number;
  /** When the lease runs out: `leaseMs` after it was taken, or the shared window's end if that is sooner. */
  until: number;
  windowEnds: number;
}

export interface LeaseOptions {
  maxLease: number;
  leaseMs: number;
}

/** A lease of at most 1/16 of the budget, and 32 points: a limit of 5 a minute stays one point at a time. */
export function leaseOptionsFor(points: number): LeaseOptions {
  return { maxLease: Math.max(1, Math.min(32, Math.floor(points / 16))), leaseMs: 1000 };
}

export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly acquiring = new Map<string, Promise<unknown>>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly shared: RateLimiterAbstract,
    private readonly options: LeaseOptions = leaseOptionsFor(shared.points),
  ) {}

  /**
   * Spends one point of a lease this process holds for `key`, if it has one left: true when spent. The
   * first step of `consume`, without a promise, for callers that go on synchronously when it is enough.
   */
  spendLeased(key: string): boolean {
    const lease = this.leases.get(key);
    if (!lease || lease.left <= 0 || Date.now() >= lease.until) return false;
    lease.left -= 1;
    return true;
  }

  /** Spends one point of `key`; rejects with the shared limiter's `RateLimiterRes` when none is left. */
  async consume(key: string): Promise<void> {
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.left > 0 && Date.now() < lease.until) {
        lease.left -= 1;
        return;
      }
      const pending = this.acquiring.get(key);
      if (pending) {
        // Another request of this key is taking a lease: share it, or take the next one after it.
        await pending.catch(() => undefined);
        continue;
      }
      const taking = this.take(key, lease);
      this.acquiring.set(key, taking);
      try {
        await taking;
        return;
      } finally {
        this.acquiring.delete(key);
      }
    }
  }

  /** Gives every lease's unused points back now (shutdown). */
  async release(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const leases = [...this.leases];
    this.leases.clear();
    await Promise.all(leases.map(([key, lease]) => this.giveBack(key, lease)));
  }

  /** Takes a lease for `key` and spends its first point, after a previous lease ran out or was used up. */
  private async take(key: string, previous: Lease | undefined): Promise<void> {
    const now = Date.now();
    const busy = previous !== undefined && previous.left === 0 && now < previous.until;
    const size = busy ? Math.min(previous.size * 2, this.options.maxLease) : 1;
    if (previous) {
      this.leases.delete(key);
      void this.giveBack(key, previous);
    }
    let granted: RateLimiterRes;
    try {
      granted = await this.shared.consume(key, size);
    } catch (err) {
      if (!(err instanceof RateLimiterRes) || size === 1) throw err;
      // Fewer points left than the lease: return them and go one point at a time near the limit.
      await this.shared.reward(key, size);
      return this.take(key, undefined);
    }
    const windowEnds = now + granted.msBeforeNext;
    this.leases.set(key, { size, left: size - 1, until: Math.min(now + this.options.leaseMs, windowEnds), windowEnds });
    this.sweeper ??= setInterval(() => this.sweep(), this.options.leaseMs).unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases) {
      if (now < lease.until || this.acquiring.has(key)) continue;
      this.leases.delete(key);
      void this.giveBack(key, lease);
    }
    if (this.leases.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Unused points of a lease go back to the window they were taken from; after it, there is nothing to return. */
  private async giveBack(key: string, lease: Lease): Promise<void> {
    if (lease.left <= 0 || Date.now() >= lease.windowEnds) return;
    const unused = lease.left;
    lease.left = 0;
    // A failed return only leaves the key charged for points it did not use, until the window ends.
    await this.shared.reward(key, unused).catch(() => undefined);
  }
}
