/**
 * The drill's backup and restore of the three databases, with pg_dump/pg_restore as `npm run
 * db:backup`/`db:restore` run them. The read model is dumped first and Temporal's two databases after
 * it: every row in the read model then comes from a transition Temporal's dump holds too, and what the
 * read model misses is caught up from the histories after the restore (catch-up.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../../../db/connection.js';
import { libpqTarget, runTool, urlFor } from '../pg-tools.js';

export interface Databases {
  app: string;
  temporal: string;
  visibility: string;
}

export interface DumpReport {
  files: Databases;
  bytes: Record<keyof Databases, number>;
  ms: number;
}

async function dump(server: string, database: string, dir: string): Promise<string> {
  const target = libpqTarget(urlFor(server, database));
  const file = path.join(dir, `${database}.dump`);
  await runTool('pg_dump', ['--format=custom', '--compress=6', '--file', file, database], target.env);
  return file;
}

export async function dumpAll(server: string, databases: Databases, dir: string): Promise<DumpReport> {
  const started = Date.now();
  const app = await dump(server, databases.app, dir);
  // Started together: the visibility records match the histories as closely as two snapshots can.
  const [temporal, visibility] = await Promise.all([dump(server, databases.temporal, dir), dump(server, databases.visibility, dir)]);
  const size = async (f: string) => (await stat(f)).size;
  return { files: { app, temporal, visibility }, bytes: { app: await size(app), temporal: await size(temporal), visibility: await size(visibility) }, ms: Date.now() - started };
}

/** Each dump into a new database of the given name, the three at once. */
export async function restoreAll(server: string, files: Databases, into: Databases): Promise<number> {
  const started = Date.now();
  await Promise.all(
    (Object.keys(files) as Array<keyof Databases>).map(async (key) => {
      const url = urlFor(server, into[key]);
      if ((await ensureDatabase(url)) !== 'created') throw new Error(`${into[key]} exists: a drill restores into new databases only`);
      const target = libpqTarget(url);
      await runTool('pg_restore', ['--dbname', into[key], '--no-owner', '--no-acl', '--single-transaction', '--exit-on-error', files[key]], target.env);
      // Temporal's schema tool finds its version by database name: under a new name, tell it.
      if (key !== 'app') await renameSchemaVersion(url, into[key]);
    }),
  );
  return Date.now() - started;
}

async function renameSchemaVersion(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('UPDATE schema_version SET db_name = $1', [database]);
  } finally {
    await client.end();
  }
}
