/** The databases and Redis prefix of a throw-away cluster (a test run, an image check), and their removal. */
import { Redis } from 'ioredis';
import { dropDatabase } from '../../../db/connection.js';
import { removeScratchKeys } from '../redis-keys.js';
import type { ClusterOptions } from './cluster.js';

export type ScratchStores = Pick<ClusterOptions, 'postgresUrl' | 'databases' | 'redisUrl' | 'redisPrefix'>;

/**
 * Stores named for one run: `tag` says whose they are (`ct` for the cluster tests), `id` which run; the
 * Redis prefix goes by process, whose keys `removeScratchStores` takes. `databaseUrl` names any database
 * on the server to use: the cluster makes its own there.
 */
export function scratchStores(tag: string, id: string, servers: { databaseUrl?: string; redisUrl?: string }): ScratchStores {
  return {
    postgresUrl: (servers.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, ''),
    databases: { app: `logistics_${tag}_${id}`, temporal: `temporal_${tag}_${id}`, visibility: `temporal_vis_${tag}_${id}` },
    redisUrl: servers.redisUrl ?? 'redis://127.0.0.1:6379',
    redisPrefix: `lp${tag}${process.pid}`,
  };
}

/** Removes the run's Redis keys and drops its databases; a step that fails is reported and the rest still run. */
export async function removeScratchStores(stores: ScratchStores, report: (error: Error, what: string) => void): Promise<void> {
  const redis = new Redis(stores.redisUrl, { maxRetriesPerRequest: 1 });
  await removeScratchKeys(redis, stores.redisPrefix).catch((err: Error) => report(err, 'removing the run’s Redis keys'));
  redis.disconnect();
  for (const name of Object.values(stores.databases)) await dropDatabase(`${stores.postgresUrl}/${name}`).catch((err: Error) => report(err, `dropping ${name}`));
}
