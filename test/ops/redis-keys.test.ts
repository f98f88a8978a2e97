import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { removeScratchKeys } from '../../scripts/lib/redis-keys.js';
import { env } from '../support/harness.js';

describe('removeScratchKeys', () => {
  const redis = new Redis(env().REDIS_URL!, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());

  it("deletes a run's keys and those of prefixes made from it, never a longer number's", async () => {
    const run = `scratch${Date.now() % 100_000}`;
    const other = `${run}7`;
    const own = [`${run}:queue:1`, `${run}wal:limit:x`, `${run}:ai-intake:${randomUUID()}`];
    const foreign = [`${other}:queue:1`, `${other}wal:limit:x`];
    for (const key of [...own, ...foreign]) await redis.set(key, '1', 'EX', 60);
    try {
      expect(await removeScratchKeys(redis, run)).toBe(own.length);
      expect(await redis.exists(...own)).toBe(0);
      expect(await redis.exists(...foreign)).toBe(foreign.length);
    } finally {
      await redis.del(...own, ...foreign);
    }
  });
});
