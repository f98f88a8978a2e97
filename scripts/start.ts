/**
 * `npm start` (through scripts/start.mjs): checks Postgres, Redis and Temporal (starting the local dev
 * server when none runs), migrates, seeds demo data on first run, builds the web app once, then runs
 * the Temporal worker, the queue processors and the API until Ctrl-C. `--simulate` adds live traffic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { openDatabase } from '../db/connection.js';
import { latestTrackingCode } from '../db/deliveries.js';
import { createMigrator } from '../db/migrator.js';
import { seedDemoData } from '../db/seed.js';
import { readyBanner } from './lib/banner.js';
import { startService, type Service } from './lib/children.js';
import { checkPostgres, checkRedis, DependencyError } from './lib/dependencies.js';
import { waitFor } from './lib/poll.js';
import { ensureTemporal, waitForWorker, type TemporalForDev } from './lib/temporal-dev.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 180_000;
const USAGE = 'usage: npm start [-- --simulate] [--no-web-build]';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`${USAGE}\n  --simulate      also run simulated drivers and a stream of customer orders\n  --no-web-build  do not build web/dist when it is missing`);
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--simulate' && a !== '--no-web-build');
if (unknown.length) {
  console.error(`unknown option ${unknown.join(' ')} — ${USAGE}`);
  process.exit(2);
}
const simulate = args.includes('--simulate');

const log = (line: string) => console.log(`start  | ${line}`);

let config: Readonly<Config>;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? `Configuration is invalid — ${error.problems.join('; ')}` : String(error));
  process.exit(1);
}

const services: Service[] = [];
let temporal: TemporalForDev | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const started = services.length > 0 || temporal?.devServer;
    if (started) log('stopping…');
    // Intake first (API), then the processes that finish work, then the server they talk to.
    for (const service of [...services].reverse()) await service.stop();
    await temporal?.devServer?.stop();
    if (started) log('stopped');
    process.exit(code);
  }
  return new Promise<never>(() => {});
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

async function prepareDatabase(): Promise<string | undefined> {
  const database = await checkPostgres(config.DATABASE_URL);
  if (database === 'created') log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  await checkRedis(config.REDIS_URL);
  const sequelize = openDatabase(config.DATABASE_URL, { poolMax: 2 });
  try {
    const applied = await createMigrator(sequelize).up();
    log(applied.length ? `applied migrations: ${applied.map((m) => m.name).join(', ')}` : 'database schema is up to date');
    if (!config.production) {
      const seeded = await seedDemoData(sequelize, config.DEMO_PASSWORD);
      if (seeded.created) log('loaded demo accounts and drivers');
    }
    return await latestTrackingCode();
  } finally {
    await sequelize.close();
  }
}

function buildWebIfMissing(): void {
  if (existsSync(path.join(root, 'web', 'dist', 'index.html'))) return;
  log('building the web app (first run only)…');
  const built = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) log('! the web build failed (see above): the API runs, the pages will not load until `npm run build:web` succeeds');
}

function run(name: string, file: string): Service {
  const service = startService(name, ['--import', 'tsx', path.join(root, file)], { cwd: root });
  services.push(service);
  void service.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`start  | ${name} exited (${signal ?? `code ${code}`}) — stopping everything`);
    void shutdown(1);
  });
  return service;
}

async function waitForReady(): Promise<void> {
  const url = `http://127.0.0.1:${config.PORT}/ready`;
  await waitFor(`the API to become ready at ${url}`, async () => {
    if (stopping) return true;
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    return true;
  }, { timeoutMs: READY_TIMEOUT_MS, everyMs: 500 });
}

try {
  const trackingCode = await prepareDatabase();
  temporal = await ensureTemporal(config, root, log);
  if (!args.includes('--no-web-build')) buildWebIfMissing();
  run('worker', 'worker/temporal-worker.ts');
  run('queues', 'worker/queue-processors.ts');
  run('api', 'api/server.ts');
  await waitForReady();
  const workerPolling = await waitForWorker(config, 60_000);
  if (!stopping) {
    console.log(readyBanner({ config, temporalUiUrl: temporal.uiUrl, trackingCode, simulate, workerPolling }));
    if (simulate) run('sim', 'scripts/simulate.ts');
  }
} catch (error) {
  console.error(error instanceof DependencyError ? error.message : `start failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
