/** Checks Postgres and Redis before anything starts, and says in one line how to start what is down. */
import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ensureDatabase } from '../../db/connection.js';

/** A dependency that is down: the message is the one line `npm start` prints before exiting 1. */
export class DependencyError extends Error {
  override name = 'DependencyError';
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; errors?: Array<{ code?: string }> };
  return e.code ?? e.errors?.[0]?.code;
}

function hostPort(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

/** Debian/Ubuntu keep one folder per installed cluster version under /etc/postgresql. */
function localPostgresHint(): string {
  try {
    const [version] = readdirSync('/etc/postgresql');
    if (version) return `sudo pg_ctlcluster ${version} main start`;
  } catch {
    // not a Debian-style install
  }
  return 'your service manager (e.g. sudo systemctl start postgresql)';
}

export async function checkPostgres(databaseUrl: string): Promise<'created' | 'exists'> {
  const where = hostPort(databaseUrl, 5432);
  try {
    return await ensureDatabase(databaseUrl);
  } catch (error) {
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code && UNREACHABLE.has(code)) {
      throw new DependencyError(
        `Postgres is not reachable at ${where} — start it with: ${localPostgresHint()} (or: docker compose up -d postgres), or point DATABASE_URL at a running server`,
      );
    }
    if (/timeout/i.test(message)) {
      throw new DependencyError(`Postgres did not answer at ${where} within 5 s — check that it is running and DATABASE_URL is right`);
    }
    throw new DependencyError(`Postgres at ${where} refused us: ${message} — check the user and password in DATABASE_URL`);
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const where = hostPort(redisUrl, 6379);
  // One attempt, no queueing: the point is to learn quickly whether it is there.
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/NOAUTH|WRONGPASS|invalid password/i.test(message)) {
      throw new DependencyError(`Redis at ${where} refused us: ${message} — check the password in REDIS_URL`);
    }
    throw new DependencyError(
      `Redis is not reachable at ${where} — start it with: redis-server --daemonize yes (or: docker compose up -d redis), or point REDIS_URL at a running server`,
    );
  } finally {
    redis.disconnect();
  }
}
