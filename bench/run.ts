/**
 * `npm run bench [-- --quick] [--only B1,B3] [--profile api,worker]`: every figure of BENCHMARKS.md against
 * its baseline, in an environment of its own (scratch database, Temporal dev servers, API and worker
 * children on free ports). Prints a table and writes bench/results/latest.json. Measurements, not tests:
 * a missed target never changes the exit code; a figure that could not be measured does.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../scripts/temporal.mjs';
import { lifecycleFigures } from './b1-lifecycle.js';
import { trackingFigure } from './b3-tracking.js';
import { locationFigure } from './b4-location.js';
import { fanOutFigure } from './b5-fanout.js';
import { webWeightFigure } from './b6-web-weight.js';
import { workerMemoryFigure } from './b7-worker-memory.js';
import { dispatchFigure } from './b8-dispatch.js';
import { sqliteFigure } from './sqlite-pragmas.js';
import { clusterLifecycleFigures } from './cluster.js';
import { FULL, QUICK, type BenchContext, type Figure } from './lib/context.js';
import { gcCountsFile, prepareDatabase, removeRedisKeys, startStack, type Database, type Stack } from './lib/env.js';
import { root } from './lib/processes.js';
import { textTable, type FigureRow } from './lib/table.js';

const USAGE = 'usage: npm run bench -- [--quick] [--only B1,B2,B3,B4,B5,B6,B7,B8,B9,SQLITE] [--cluster] [--profile api,worker] [--gc api,worker]';

/** Figure groups in the order they run; B2 and B9 are measured during B1. */
const GROUPS: Array<{ ids: string[]; run: Figure; stack?: false }> = [
  { ids: ['B6'], run: webWeightFigure, stack: false },
  { ids: ['B1', 'B2', 'B9'], run: lifecycleFigures },
  { ids: ['B3'], run: trackingFigure },
  { ids: ['B4'], run: locationFigure },
  { ids: ['B5'], run: fanOutFigure },
  { ids: ['SQLITE'], run: sqliteFigure },
  { ids: ['B7'], run: workerMemoryFigure },
  // Its own database, so its 10,000 drivers never meet the other figures' deliveries.
  { ids: ['B8'], run: dispatchFigure, stack: false },
];
const ALL_IDS = GROUPS.flatMap((g) => g.ids);

function parseArgs(argv: string[]) {
  const options = { quick: false, cluster: false, only: new Set(ALL_IDS), profile: [] as string[], gc: [] as string[] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${arg} needs a value — ${USAGE}`);
      return v.split(',').map((s) => s.trim()).filter(Boolean);
    };
    if (arg === '--quick') options.quick = true;
    // B1 and B2 also on the production topology (Temporal cluster, replicas behind nginx), from dist/.
    else if (arg === '--cluster') options.cluster = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const ids = value().map((s) => s.toUpperCase());
      const unknown = ids.filter((id) => !ALL_IDS.includes(id));
      if (unknown.length) throw new Error(`unknown figure ${unknown.join(', ')} — ${USAGE}`);
      options.only = new Set(ids);
    } else if (arg === '--profile' || arg.startsWith('--profile=')) {
      options.profile = value();
      const unknown = options.profile.filter((p) => p !== 'api' && p !== 'worker');
      if (unknown.length) throw new Error(`--profile takes api and/or worker, not ${unknown.join(', ')}`);
    } else if (arg === '--gc' || arg.startsWith('--gc=')) {
      options.gc = value();
      const unknown = options.gc.filter((p) => p !== 'api' && p !== 'worker');
      if (unknown.length) throw new Error(`--gc takes api and/or worker, not ${unknown.join(', ')}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg} — ${USAGE}`);
  }
  return options;
}

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    commit,
  };
}

const uptime = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

let options: ReturnType<typeof parseArgs>;
try {
  options = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const started = Date.now();
const log = (text: string) => {
  for (const line of text.split('\n')) console.log(`bench  | ${line}`);
};
const rows: FigureRow[] = [];
const loadBefore = uptime();
let failed = false;
let dir: string | undefined;
let db: Database | undefined;
let stack: Stack | undefined;

/** What `--gc` counted in each process over the whole run (warm-ups and every figure's rounds). */
async function reportCollections(): Promise<void> {
  for (const name of options.gc) {
    try {
      const counts = JSON.parse(await readFile(gcCountsFile(dir!, name), 'utf8')) as { requests: number; minor: { count: number; ms: number }; major: { count: number; ms: number } };
      const perRequest = (ms: number) => (counts.requests ? `${((ms * 1000) / counts.requests).toFixed(1)} µs/request` : 'no requests');
      log(`${name}: ${counts.requests} requests; ${counts.minor.count} young-generation collections, ${counts.minor.ms.toFixed(0)} ms (${perRequest(counts.minor.ms)}); ${counts.major.count} others, ${counts.major.ms.toFixed(0)} ms (${perRequest(counts.major.ms)})`);
    } catch (err) {
      log(`${name}: no collection counts (${(err as Error).message})`);
    }
  }
}

const cleanup = async () => {
  await stack?.stop().catch((err) => log(`stopping the stack: ${String(err)}`));
  if (stack && options.gc.length) await reportCollections();
  await db?.drop().catch((err) => log(`dropping ${db?.name}: ${String(err)}`));
  await removeRedisKeys().catch((err) => log(`removing this run's Redis keys: ${String(err)}`));
  if (dir) await rm(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  log('interrupted; cleaning up');
  void cleanup().then(() => process.exit(130));
});

try {
  log(`${options.quick ? 'quick' : 'full'} run of ${[...options.only].join(', ')}; load average ${loadBefore}`);
  const sizes = options.quick ? QUICK : FULL;
  const groups = options.cluster ? [...GROUPS, { ids: ['B1', 'B2'], run: clusterLifecycleFigures }] : GROUPS;
  const selected = groups.filter((g) => g.ids.some((id) => options.only.has(id)));
  const needsStack = selected.some((g) => g.stack !== false);
  const cli = needsStack ? await ensureTemporalCli({ log: (...parts: unknown[]) => log(parts.join(' ')) }) : '';
  dir = await mkdtemp(path.join(os.tmpdir(), 'logistics-bench-'));
  const profileDir = path.join(root, 'bench', 'results', 'profiles');
  if (options.profile.length) await mkdir(profileDir, { recursive: true });
  if (needsStack) {
    db = await prepareDatabase();
    log(`scratch database ${db.name}; starting Temporal (SQLite WAL), worker and API`);
    stack = await startStack(cli, 'wal', dir, db, { profile: options.profile, profileDir, gc: options.gc });
  }
  let areaOffset = 0;
  const ctx: BenchContext = {
    cli,
    dir,
    // Figures that need no stack never read these.
    db: db!,
    stack: stack!,
    sizes,
    profile: options.profile,
    profileDir,
    log,
    trackingCodes: [],
    nextAreaOffset: (count) => (areaOffset += count) - count,
  };
  for (const group of selected) {
    const groupStarted = Date.now();
    try {
      // A figure may add rows of its own variants (B3-uncached): they come with it.
      rows.push(...(await group.run(ctx)).filter((row) => options.only.has(row.id.split('-')[0]!)));
    } catch (err) {
      failed = true;
      log(`${group.ids.join('/')} failed: ${(err as Error).stack ?? String(err)}`);
      for (const id of group.ids) {
        if (options.only.has(id)) rows.push({ id, name: '', value: `error: ${(err as Error).message.split('\n')[0]}`, baseline: '—', ratio: null, target: '', met: null });
      }
    }
    log(`${group.ids.join('/')} took ${((Date.now() - groupStarted) / 1000).toFixed(0)} s; load average ${uptime()}`);
  }
} catch (err) {
  failed = true;
  log(`set-up failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await cleanup();
}

const loadAfter = uptime();
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${textTable(rows)}\n`);
console.log(`load average before ${loadBefore}, after ${loadAfter}; ${seconds} s in all; ratio: 1.0 = as good as the baseline`);
const results = {
  startedAt: new Date(started).toISOString(),
  seconds,
  quick: options.quick,
  only: [...options.only],
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAfter },
  figures: rows,
};
await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
await writeFile(path.join(root, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written bench/results/latest.json');
process.exit(failed ? 1 : 0);
