/**
 * `npm run db:restore -- <file> [--target-db <name>] [--force]`: pg_restore of a db:backup dump.
 * With --target-db the dump goes into that database (created when missing) and DATABASE_URL's own is
 * untouched: the safe way to inspect a backup. A database that already has tables is only replaced
 * with --force. Prints the row count of every table afterwards.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/env.js';
import { ensureDatabase } from '../db/connection.js';
import { libpqTarget, runTool, tableCounts, urlFor } from './lib/pg-tools.js';

const USAGE = 'usage: npm run db:restore -- <file.dump> [--target-db <name>] [--force]';
const args = process.argv.slice(2);
const force = args.includes('--force');
const targetAt = args.indexOf('--target-db');
const targetDb = targetAt >= 0 ? args[targetAt + 1] : undefined;
const file = args.find((a, i) => !a.startsWith('--') && (targetAt < 0 || i !== targetAt + 1));

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

if (!file) fail(USAGE, 2);
if (targetAt >= 0 && (!targetDb || targetDb.startsWith('--'))) fail(USAGE, 2);
if (!existsSync(file)) fail(`no such backup file: ${file}`);

const config = loadConfig();
const target = libpqTarget(config.DATABASE_URL, targetDb);
const targetUrl = urlFor(config.DATABASE_URL, target.database);

try {
  await ensureDatabase(targetUrl);
  const before = await tableCounts(targetUrl);
  if (Object.keys(before).length > 0 && !force) {
    fail(`${target.where} already has ${Object.keys(before).length} tables: add --force to replace them, or restore into a new database with --target-db <name>`);
  }
  const started = Date.now();
  // --clean drops what the dump contains first; one transaction means a failed restore changes nothing.
  await runTool(
    'pg_restore',
    ['--dbname', target.database, '--clean', '--if-exists', '--no-owner', '--no-acl', '--single-transaction', '--exit-on-error', path.resolve(file)],
    target.env,
  );
  const after = await tableCounts(targetUrl);
  console.log(`restored ${file} → ${target.where} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [table, rows] of Object.entries(after)) console.log(`  ${table.padEnd(28)} ${rows}`);
} catch (error) {
  fail(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
}
