/**
 * `npm run start:prod [-- role]` runs the built system from dist/ (NODE_ENV=production): one role per
 * process — api | worker | queues | migrate — or `all` (migrate, then the three as child processes).
 * The role comes from the command line, else APP_ROLE. No demo data; the default JWT secret is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { createSequelize } from '../db/connection.js';
import { createMigrator } from '../db/migrator.js';
import { ensureSearchAttributes } from './lib/search-attributes.js';

const ROLES = ['api', 'worker', 'queues', 'migrate', 'all'] as const;
type Role = (typeof ROLES)[number];
const here = path.dirname(fileURLToPath(import.meta.url));
const ENTRY: Record<'api' | 'worker' | 'queues', string> = {
  api: path.resolve(here, '..', 'api', 'server.js'),
  worker: path.resolve(here, '..', 'worker', 'temporal-worker.js'),
  queues: path.resolve(here, '..', 'worker', 'queue-processors.js'),
};
const STOP_GRACE_MS = 30_000;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config: Readonly<Config>;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? `Configuration is invalid — ${error.problems.join('; ')}` : String(error));
}
const arg = process.argv[2];
if (arg !== undefined && !(ROLES as readonly string[]).includes(arg)) fail(`unknown role "${arg}": use one of ${ROLES.join(', ')}`);
const role: Role = (arg as Role | undefined) ?? config.APP_ROLE;
const logger = createLogger(config, 'start');

/** Schema migrations, then the search attributes the workflows write; both are safe to repeat. */
async function migrate(): Promise<void> {
  const sequelize = createSequelize(config.DATABASE_URL, { poolMax: 2 });
  try {
    const applied = await createMigrator(sequelize).up();
    logger.info({ applied: applied.map((m) => m.name) }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await sequelize.close();
  }
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '10s' });
  try {
    const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    logger.info({ added, namespace: config.TEMPORAL_NAMESPACE }, 'search attributes in place');
  } finally {
    await connection.close();
  }
}

/** Each entry module owns its process: signals, draining, exit code. It runs as if started directly. */
async function runEntry(name: keyof typeof ENTRY): Promise<void> {
  const file = ENTRY[name];
  if (!existsSync(file)) fail(`${path.relative(process.cwd(), file)} is missing: run \`npm run build\` first`);
  process.argv[1] = file;
  await import(pathToFileURL(file).href);
}

/** `all`: the three long-running roles as children of this one, stopped together. */
async function supervise(): Promise<void> {
  await migrate();
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let exitCode = 0;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping api, queues and worker');
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => {
      for (const child of children.values()) child.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  };
  const exits = (['worker', 'queues', 'api'] as const).map((name) => {
    // Own process group: a terminal's Ctrl-C reaches only this process, which stops each child once.
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), name], { stdio: 'inherit', detached: true });
    children.set(name, child);
    return new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(name);
        if (!stopping || code !== 0) {
          logger.error({ role: name, code, signal }, stopping ? 'role did not stop cleanly' : 'role exited; stopping the others');
          exitCode = 1;
          stopAll('SIGTERM');
        }
        resolve();
      });
    });
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(signal));
  process.once('exit', () => {
    for (const child of children.values()) child.kill('SIGKILL');
  });
  await Promise.all(exits);
  process.exit(exitCode);
}

try {
  if (role === 'migrate') {
    await migrate();
    process.exit(0);
  } else if (role === 'all') {
    await supervise();
  } else {
    await runEntry(role);
  }
} catch (error) {
  logger.fatal({ err: error instanceof Error ? error.message : String(error), role }, 'start failed');
  process.exit(1);
}
