/**
 * `npm run slo [-- --quick] [-- --faults kill-api,kill-worker]`: starts its own production topology
 * (scripts/lib/cluster, free ports, scratch databases, a private Redis, the Groq stub), drives a steady
 * load of customers, drivers, dispatcher boards and tracking pages, injects each fault with deliveries in
 * flight, then writes docs/SLO.md. Exits 1 when a delivery was lost or duplicated or a timeline has a gap.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './lib/cluster/build.js';
import { ensureCertificate } from './lib/cluster/edge.js';
import { checkPostgres, DependencyError } from './lib/dependencies.js';
import { ALL_FAULTS, FAULTS, type FaultName } from './lib/slo/faults.js';
import { startSloInstance } from './lib/slo/instance.js';
import { headline, renderSloReport, type RunContext } from './lib/slo/report.js';
import { runSlo, type SloPlan } from './lib/slo/run.js';
import type { LoadShape } from './lib/slo/users.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string) => console.log(`${'slo'.padEnd(8)}| ${line}`);

const SHAPE: LoadShape = { customers: 3, drivers: 8, openPerCustomer: 3, bookEveryMs: 5000, pingEveryMs: 3000, pingsPerLeg: 4 };
const PLANS: Record<'quick' | 'full', SloPlan> = {
  quick: { faults: ['kill-history', 'kill-frontend', 'kill-api', 'kill-worker', 'kill-queues'], warmupMs: 30_000, spacingMs: 40_000, drainMs: 90_000, boards: 2, shape: { ...SHAPE, customers: 2, drivers: 6 } },
  full: { faults: ALL_FAULTS, warmupMs: 60_000, spacingMs: 120_000, drainMs: 180_000, boards: 2, shape: SHAPE },
};

function parseArgs(argv: string[]): { kind: 'quick' | 'full'; plan: SloPlan; command: string } {
  const kind = argv.includes('--quick') ? 'quick' : 'full';
  const plan = { ...PLANS[kind] };
  const at = argv.indexOf('--faults');
  if (at >= 0) {
    const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
    const unknown = names.filter((n) => !(n in FAULTS));
    if (!names.length || unknown.length) throw new DependencyError(`--faults takes a comma-separated list of: ${Object.keys(FAULTS).join(', ')}`);
    plan.faults = names as FaultName[];
  }
  return { kind, plan, command: `npm run slo${argv.length ? ` -- ${argv.join(' ')}` : ''}` };
}

/**
 * The cluster's certificate is self-signed and made for this run. Node reads the certificates it trusts
 * besides its own once, at start: the run goes on in a child process started trusting that one, the
 * way the cluster tests' workers are.
 */
async function inChildTrustingTheCluster(dataDir: string): Promise<number> {
  const { cert } = await ensureCertificate(path.join(dataDir, 'certs'), say);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: cert, SLO_DATA_DIR: dataDir },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<number> {
  const { kind, plan, command } = parseArgs(process.argv.slice(2));
  const dataDir = process.env.SLO_DATA_DIR;
  if (!dataDir) {
    await checkPostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    ensureBuild(root, say);
    return inChildTrustingTheCluster(path.join(root, '.data', `slo-${process.pid}`));
  }
  const dist = path.join(root, 'dist');
  const loadBefore = loadavg();
  say(`starting the cluster (logs: ${path.relative(root, path.join(dataDir, 'cluster.log'))})…`);
  const instance = await startSloInstance({ root, dist, dataDir, log: (line) => say(`cluster: ${line}`) });
  let stopped = false;
  let passed = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await instance.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => process.exit(130)));
  try {
    say(`cluster up at ${instance.cluster.urls.app}; ${kind} run, faults: ${plan.faults.join(', ')}`);
    const result = await runSlo(instance, plan, say);
    const ctx: RunContext = { command, kind, cores: availableParallelism(), loadBefore, loadAfter: loadavg() };
    await writeFile(path.join(root, 'docs', 'SLO.md'), renderSloReport(result, ctx));
    await mkdir(path.join(root, '.data', 'slo'), { recursive: true });
    await writeFile(path.join(root, '.data', 'slo', `last-${kind}.json`), JSON.stringify({ ...result, requests: undefined, failedRequests: result.requests.filter((r) => r.failed) }, null, 2));
    const h = headline(result);
    say(`uptime ${(h.uptime * 100).toFixed(3)} %, average ${h.averageMs.toFixed(0)} ms, errors ${(h.errorRate * 100).toFixed(3)} %, worst recovery ${h.worstRecoveryMs === undefined ? 'n/a' : `${(h.worstRecoveryMs / 1000).toFixed(1)} s`}`);
    for (const f of result.faults) say(`  ${f.name.padEnd(17)} failed ${f.failed}/${f.requests}, recovered ${f.recoveryMs === undefined ? 'n/a' : `${(f.recoveryMs / 1000).toFixed(1)} s`}, lost ${f.lost}, dup ${f.duplicated}, gaps ${f.gaps}, alerts ${f.alerts.map((a) => a.name).join(',') || 'none'}`);
    say(`wrote docs/SLO.md; zero lost / duplicated / gaps: ${h.zeroPromisesKept ? 'kept' : 'BROKEN'}`);
    passed = h.zeroPromisesKept;
    return passed ? 0 : 1;
  } finally {
    await stop();
    // The processes' logs stay for a run that broke a promise.
    if (passed) await rm(dataDir, { recursive: true, force: true });
    else say(`logs kept in ${path.relative(root, dataDir)}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof DependencyError ? error.message : `slo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
