/** Answers from outside geo providers, kept in Redis; a Redis problem only means asking the provider again. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface GeoCache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

export const cacheKey = (...parts: Array<string | number>) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);

export function redisGeoCache(redis: Redis, prefix: string, onError: (err: Error) => void = () => {}): GeoCache {
  return {
    async get<T>(key: string) {
      try {
        const raw = await redis.get(`${prefix}:geo:${key}`);
        return raw === null ? undefined : (JSON.parse(raw) as T);
      } catch (err) {
        onError(err as Error);
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      try {
        await redis.set(`${prefix}:geo:${key}`, JSON.stringify(value), 'EX', ttlSeconds);
      } catch (err) {
        onError(err as Error);
      }
    },
  };
}

/** For processes and tests without Redis. */
export function memoryGeoCache(now: () => number = Date.now): GeoCache {
  const entries = new Map<string, { value: unknown; until: number }>();
  return {
    async get<T>(key: string) {
      const hit = entries.get(key);
      if (!hit || hit.until < now()) return undefined;
      return structuredClone(hit.value) as T;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value: structuredClone(value), until: now() + ttlSeconds * 1000 });
    },
  };
}
