import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeasedLimiter, leaseOptionsFor } from '../../api/leased-limiter.js';
import { env } from '../support/harness.js';
import { ownRedisPrefix } from './support.js';

const LEASE_MS = 200;

describe('leased rate limits on Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(env().REDIS_URL!, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => redis?.quit());

  const shared = (points: number, prefix = ownRedisPrefix('lease')) => new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix, points, duration: 60 });
  /** How many of `count` requests got through, and how many points Redis has counted for the key. */
  async function spend(limiter: LeasedLimiter, key: string, count: number, together = 10): Promise<number> {
    let admitted = 0;
    for (let sent = 0; sent < count; sent += together) {
      const results = await Promise.allSettled(Array.from({ length: Math.min(together, count - sent) }, () => limiter.consume(key)));
      for (const r of results) {
        if (r.status === 'fulfilled') admitted += 1;
        else expect(r.reason).toBeInstanceOf(RateLimiterRes);
      }
    }
    return admitted;
  }
  const counted = async (limiter: LeasedLimiter, key: string) => (await limiter.shared.get(key))?.consumedPoints ?? 0;

  it('admits exactly the budget from one instance, with far fewer Redis calls than requests', async () => {
    const limiter = new LeasedLimiter(shared(200), { maxLease: 32, leaseMs: 60_000 });
    const calls = { count: 0 };
    const consume = limiter.shared.consume.bind(limiter.shared);
    limiter.shared.consume = (key, points) => {
      calls.count += 1;
      return consume(key, points);
    };
    expect(await spend(limiter, 'busy', 300)).toBe(200);
    expect(await counted(limiter, 'busy')).toBeGreaterThanOrEqual(200);
    // 1, 2, 4, 8, 16, then 32 at a time; one point at a time only for the last few and the refusals.
    expect(calls.count).toBeLessThan(150);
    await limiter.release();
  });

  it('charges a key only for what it used: an unspent lease goes back when it runs out', async () => {
    const limiter = new LeasedLimiter(shared(1000), { maxLease: 32, leaseMs: LEASE_MS });
    expect(await spend(limiter, 'burst', 40)).toBe(40);
    expect(await counted(limiter, 'burst')).toBeGreaterThan(40);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
    expect(await counted(limiter, 'burst')).toBe(40);
  });

  it('spends one shared point per request for a key that is not busy', async () => {
    const limiter = new LeasedLimiter(shared(1000), { maxLease: 32, leaseMs: 20 });
    for (let i = 1; i <= 3; i++) {
      await limiter.consume('now-and-then');
      expect(await counted(limiter, 'now-and-then')).toBe(i);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await limiter.release();
  });

  it('never admits more than the budget across instances sharing it', async () => {
    const prefix = ownRedisPrefix('lease-shared');
    const [a, b] = [new LeasedLimiter(shared(100, prefix), { maxLease: 32, leaseMs: 60_000 }), new LeasedLimiter(shared(100, prefix), { maxLease: 32, leaseMs: 60_000 })];
    const admitted = (await Promise.all([spend(a, 'client', 70), spend(b, 'client', 70)])).reduce((x, y) => x + y);
    expect(admitted).toBeLessThanOrEqual(100);
    // What one instance holds and has not used yet may refuse the other early, by one lease at most.
    expect(admitted).toBeGreaterThanOrEqual(100 - 32);
    await Promise.all([a.release(), b.release()]);
  });

  it('frees what one instance holds for the others once its lease runs out', async () => {
    const prefix = ownRedisPrefix('lease-freed');
    const [a, b] = [new LeasedLimiter(shared(100, prefix), { maxLease: 32, leaseMs: LEASE_MS }), new LeasedLimiter(shared(100, prefix), { maxLease: 32, leaseMs: LEASE_MS })];
    expect(await spend(a, 'client', 40)).toBe(40);
    const held = (await counted(a, 'client')) - 40;
    expect(held).toBeGreaterThan(0);
    expect(await spend(b, 'client', 60 - held, 1)).toBe(60 - held);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
    expect(await counted(b, 'client')).toBe(100 - held);
    expect(await spend(b, 'client', held + 5, 1)).toBe(held);
    await b.release();
  });

  it('gives unused points back on release', async () => {
    const limiter = new LeasedLimiter(shared(1000), { maxLease: 32, leaseMs: 60_000 });
    expect(await spend(limiter, 'shutdown', 20)).toBe(20);
    await limiter.release();
    expect(await counted(limiter, 'shutdown')).toBe(20);
  });

  it('keeps small budgets exact: no lease larger than a sixteenth of the budget', () => {
    expect(leaseOptionsFor(5).maxLease).toBe(1);
    expect(leaseOptionsFor(600).maxLease).toBe(32);
    expect(leaseOptionsFor(160).maxLease).toBe(10);
  });
});
