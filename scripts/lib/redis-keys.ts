import type { Redis } from 'ioredis';

/**
 * Deletes the keys of a scratch run (benchmarks, test suites): those under `prefix` and under any
 * prefix made from it by appending something that does not start with a digit, so `lpt12` never takes
 * `lpt123`'s keys. Returns how many were deleted.
 */
export async function removeScratchKeys(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  for await (const keys of redis.scanStream({ match: `${prefix}[^0-9]*`, count: 1000 }) as AsyncIterable<string[]>) {
    if (keys.length) removed += await redis.unlink(...keys);
  }
  return removed;
}
