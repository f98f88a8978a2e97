/**
 * `npm run db:backup [-- --keep N]`: pg_dump of DATABASE_URL in custom format (compressed, restorable
 * table by table) into BACKUP_DIR as <db>-<UTC timestamp>.dump. `--keep N` then deletes all but the
 * newest N dumps of that database. Temporal's own databases are backed up separately (docs/RUNBOOK.md).
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config/env.js';
import { libpqTarget, runTool } from './lib/pg-tools.js';

const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? Number(args[keepAt + 1]) : undefined;
if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) {
  console.error('usage: npm run db:backup [-- --keep <N ≥ 1>]');
  process.exit(2);
}

const config = loadConfig();
const target = libpqTarget(config.DATABASE_URL);
const dir = path.resolve(config.BACKUP_DIR);
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const file = path.join(dir, `${target.database}-${stamp}.dump`);
// Written under a temporary name, so an interrupted dump never passes for a backup.
const partial = `${file}.partial`;

try {
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  await runTool('pg_dump', ['--format=custom', '--compress=6', '--file', partial, target.database], target.env);
  await rename(partial, file);
  const { size } = await stat(file);
  console.log(`backed up ${target.where} → ${file} (${(size / 1024).toFixed(1)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (keep !== undefined) {
    const mine = (await readdir(dir)).filter((f) => f.startsWith(`${target.database}-`) && f.endsWith('.dump')).sort();
    for (const old of mine.slice(0, Math.max(0, mine.length - keep))) {
      await rm(path.join(dir, old));
      console.log(`removed old backup ${old}`);
    }
  }
} catch (error) {
  await rm(partial, { force: true });
  console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
