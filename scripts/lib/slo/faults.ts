/**
 * The faults a reliability run injects, each while deliveries are in flight, and the probes that say
 * when the system is whole again: every API replica ready (directly and through nginx, with its
 * database, Redis and Temporal up) and every supervised process's own port answering.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { restartPostgres } from '../../../test/support/services.js';
import { getInsecure } from '../cluster/cluster.js';
import { replayGate } from '../deploy/replay-gate.js';
import { rollout } from '../deploy/rollout.js';
import { sleep } from './actors.js';
import type { SloInstance } from './instance.js';

export const FAULTS = {
  'kill-history': { title: 'SIGKILL Temporal history', process: 'temporal-history' },
  'kill-matching': { title: 'SIGKILL Temporal matching', process: 'temporal-matching' },
  'kill-frontend': { title: 'SIGKILL Temporal frontend', process: 'temporal-frontend' },
  'kill-api': { title: 'SIGKILL one API replica', process: 'api-1' },
  'kill-worker': { title: 'SIGKILL one delivery worker', process: 'worker-1' },
  'kill-queues': { title: 'SIGKILL one queue processor', process: 'queues-1' },
  'restart-postgres': { title: 'Postgres restart (pg_ctlcluster)', process: undefined },
  'restart-redis': { title: 'Redis restart (stop, 5 s, start)', process: undefined },
  'groq-500': { title: 'Groq answers 500 for 30 s', process: undefined },
  'rolling-deploy': { title: 'Rolling deploy (replay gate, then 6 processes one at a time)', process: undefined },
} as const;
export type FaultName = keyof typeof FAULTS;
export const KILL_FAULTS: FaultName[] = ['kill-history', 'kill-matching', 'kill-frontend', 'kill-api', 'kill-worker', 'kill-queues'];
export const ALL_FAULTS: FaultName[] = [...KILL_FAULTS, 'restart-postgres', 'restart-redis', 'groq-500', 'rolling-deploy'];

export interface Injected {
  name: FaultName;
  at: number;
  /** When the fault itself was over: the kill sent, the service back, the 30 s past. */
  endedAt: number;
  detail: string;
  /** Set by a rolling deploy: the gate's and the rollout's times, and how many processes were replaced. */
  deploy?: { gateMs: number; rolloutMs: number; processes: number };
}

let quietRuntime = false;

/**
 * `npm run deploy`'s two steps, under the run's load: the release is this run's build copied to a folder
 * of its own (the code is the same; every process is drained and started again from the copy).
 */
async function rollingDeploy(instance: SloInstance): Promise<NonNullable<Injected['deploy']>> {
  const release = path.join(instance.dataDir, 'release');
  await cp(instance.dist, release, { recursive: true });
  const temporalAddress = instance.cluster.urls.temporal;
  // The gate's replay workers log each start and stop at INFO; the run's own lines are what to read.
  // The runtime is installed once per process: a plan may deploy more than once.
  if (!quietRuntime) Runtime.install({ logger: new DefaultLogger('WARN') });
  quietRuntime = true;
  const gate = await replayGate({ build: release, historiesDir: path.join(instance.root, 'workflows', 'histories'), cluster: { address: temporalAddress, namespace: 'default', openSample: 200 } });
  if (gate.failures.length) throw new Error(`the replay gate refused this run's own build: ${gate.failures[0]!.error}`);
  const report = await rollout({
    control: instance.cluster.control,
    build: release,
    health: { temporalAddress, namespace: 'default', taskQueue: 'deliveries' },
    healthTimeoutMs: 90_000,
    log: () => {},
  });
  if (report.rolledBack) throw new Error(`the rolling deploy rolled ${report.rolledBack.name} back: ${report.rolledBack.reason}`);
  return { gateMs: gate.ms, rolloutMs: report.ms, processes: report.steps.length };
}

/** Injects one fault; resolves when the injection is over (not when the system has recovered). */
export async function inject(instance: SloInstance, name: FaultName): Promise<Injected> {
  const at = Date.now();
  const processName = FAULTS[name].process;
  let detail: string;
  let deploy: Injected['deploy'];
  if (processName) {
    const target = instance.cluster.processes.find((p) => p.name === processName);
    if (!target?.pid) throw new Error(`no running process ${processName}`);
    process.kill(target.pid, 'SIGKILL');
    detail = `pid ${target.pid}`;
  } else if (name === 'restart-postgres') {
    await restartPostgres();
    detail = `back after ${((Date.now() - at) / 1000).toFixed(1)} s`;
  } else if (name === 'restart-redis') {
    await instance.redis.stop();
    await sleep(5000);
    await instance.redis.start();
    detail = `down ${((Date.now() - at) / 1000).toFixed(1)} s`;
  } else if (name === 'rolling-deploy') {
    deploy = await rollingDeploy(instance);
    detail = `replay gate ${(deploy.gateMs / 1000).toFixed(1)} s, ${deploy.processes} processes replaced in ${(deploy.rolloutMs / 1000).toFixed(1)} s`;
  } else {
    let answered500 = instance.groq.requests.length;
    instance.groq.otherwise({ status: 500, body: { error: { message: 'injected fault', type: 'internal_server_error' } } });
    await sleep(30_000);
    instance.groqHealthy();
    answered500 = instance.groq.requests.length - answered500;
    detail = `${answered500} model call${answered500 === 1 ? '' : 's'} answered 500`;
  }
  return { name, at, endedAt: Date.now(), detail, ...(deploy ? { deploy } : {}) };
}

const answers = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.ok === true;

/** True when every process of the cluster answers and the API says all its dependencies are up. */
export async function allGreen(instance: SloInstance): Promise<boolean> {
  const { ports, cluster } = instance;
  const checks = [
    ...ports.api.map((port) => answers(`http://127.0.0.1:${port}/ready`)),
    ...[...ports.worker, ...ports.queues].map((port) => answers(`http://127.0.0.1:${port}/metrics`)),
    ...Object.values(ports.temporal.metrics).map((port) => answers(`http://127.0.0.1:${port}/metrics`)),
    getInsecure(`${cluster.urls.app}/ready`).then(
      (res) => res.status === 200 && /"database":"up"/.test(res.body) && /"redis":"up"/.test(res.body) && /"temporal":"up"/.test(res.body),
      () => false,
    ),
  ];
  return (await Promise.all(checks)).every(Boolean);
}

/** The first moment, polled every 500 ms, at which everything is green; undefined past `timeoutMs`. */
export async function untilGreen(instance: SloInstance, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await allGreen(instance)) return Date.now();
    await sleep(500);
  }
  return undefined;
}
