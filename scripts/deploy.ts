/**
 * `npm run deploy [-- --build <dir>] [--no-load] [--health-timeout 90] [--open-sample 200] [--settle 180]`
 * (and --control, --app, --temporal, --namespace, --task-queue for a cluster not on the defaults): a rolling deploy of a new build onto the running
 * cluster (`npm run start:cluster`), through its supervisor's control socket.
 * 1. Without --build, builds this checkout into .data/releases/<UTC time> (the running build is never
 *    overwritten: it is what a rollback goes back to).
 * 2. The replay gate: the new workflow bundle replays workflows/histories and the open deliveries; one
 *    failure and nothing is replaced (exit 3).
 * 3. Workers, then API replicas, then queue processors, one at a time: drain, start, health check; one
 *    that fails its health check is put back on its old build and the deploy stops (exit 4).
 * Meanwhile a light load runs through nginx and is counted: exit 5 when more than 0.1 % of requests
 * failed or an order did not end DELIVERED. The last line is the result as JSON.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEFAULT_DEMO_PASSWORD } from '../config/env.js';
import { isBuild } from './lib/cluster/control.js';
import { DeployLoad, type LoadReport } from './lib/deploy/load.js';
import { replayGate } from './lib/deploy/replay-gate.js';
import { rollout, type RolloutReport } from './lib/deploy/rollout.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ERROR_BUDGET = 0.001;
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const options = {
  build: args.includes('--build') ? path.resolve(option('--build', '')) : undefined,
  control: path.resolve(option('--control', path.join(root, '.data', 'cluster', 'control.sock'))),
  app: option('--app', 'https://localhost:8443'),
  temporal: option('--temporal', '127.0.0.1:7233'),
  namespace: option('--namespace', 'default'),
  taskQueue: option('--task-queue', 'deliveries'),
  healthTimeoutMs: Number(option('--health-timeout', '90')) * 1000,
  openSample: Number(option('--open-sample', '200')),
  settleMs: Number(option('--settle', '180')) * 1000,
  load: !args.includes('--no-load'),
  demoPassword: process.env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD,
};
const log = (line: string) => console.log(`${'deploy'.padEnd(17)}| ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function buildCheckout(): string {
  const out = path.join(root, '.data', 'releases', new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'));
  log(`building this checkout into ${path.relative(root, out)} …`);
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--out', out], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed: see above');
  return out;
}

function finish(code: number, result: Record<string, unknown>): never {
  console.log(`deploy-result ${JSON.stringify({ exitCode: code, ...result })}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const build = options.build ?? buildCheckout();
  if (!isBuild(build)) throw new Error(`${build} is not an \`npm run build\` output folder (scripts/start-prod.js, workflow-bundle.js)`);
  const started = Date.now();

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const gate = await replayGate({ build, historiesDir: path.join(root, 'workflows', 'histories'), cluster: { address: options.temporal, namespace: options.namespace, openSample: options.openSample } });
  if (gate.failures.length) {
    for (const f of gate.failures.slice(0, 5)) log(`replay of ${f.workflowId} failed: ${f.error}`);
    log(`REFUSED: ${gate.failures.length} of ${gate.replayed} histories do not replay on ${build}; no process was replaced. Guard the change with patched() (docs/DEPLOYMENT.md).`);
    finish(3, { gate });
  }
  log(`replay gate passed: ${gate.replayed} histories (${gate.open} open deliveries) in ${seconds(gate.ms)}`);

  const load = options.load ? new DeployLoad(options.app, options.demoPassword) : undefined;
  await load?.start();
  let report: RolloutReport;
  try {
    report = await rollout({ control: options.control, build, health: { temporalAddress: options.temporal, namespace: options.namespace, taskQueue: options.taskQueue }, healthTimeoutMs: options.healthTimeoutMs, log });
  } catch (error) {
    await load?.stop(0);
    throw error;
  }
  const deployMs = Date.now() - started;
  if (load) log('waiting for the orders placed during the deploy to be delivered …');
  const traffic: LoadReport | undefined = await load?.stop(options.settleMs);
  if (report.rolledBack) {
    const r = report.rolledBack;
    log(`ROLLED BACK: ${r.name} ${r.reason}; detected in ${seconds(r.detectMs)}, back on its old build in ${seconds(r.rollbackMs)}`);
  } else {
    log(`deployed ${build} to ${report.steps.length} processes in ${seconds(report.ms)} (${seconds(deployMs)} with the replay gate)`);
  }
  if (traffic) {
    log(`load: ${traffic.requests} requests, ${traffic.failed} failed (${(traffic.errorRate * 100).toFixed(3)} %, budget 0.1 %), ${traffic.refused} refused; ${traffic.delivered}/${traffic.ordered} orders delivered`);
    for (const line of traffic.firstFailures) log(`  failed: ${line}`);
    for (const d of traffic.notDelivered) log(`  not delivered: ${d.id} (${d.status})`);
  }
  const overBudget = traffic !== undefined && (traffic.errorRate > ERROR_BUDGET || traffic.notDelivered.length > 0);
  finish(report.rolledBack ? 4 : overBudget ? 5 : 0, { build, gate, rollout: report, deployMs, load: traffic });
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
