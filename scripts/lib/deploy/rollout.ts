/**
 * One rolling deploy: workers first (they finish the work the others start), then API replicas, then
 * queue processors, one process at a time. Each is drained (SIGTERM: the API stops intake while nginx
 * sends new requests to the other replica, a worker finishes its tasks, a queue processor its jobs),
 * started from the new build and must pass its health check before the next one is touched. One that
 * does not is put back on the build it ran, and the deploy stops there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProgramView } from '../cluster/control.js';
import { NGINX_FAIL_TIMEOUT_MS } from '../cluster/edge.js';
import { listPrograms, replaceBuild } from './control-client.js';
import { isServing, type HealthTarget } from './health.js';

const ORDER: Array<ProgramView['service']> = ['worker', 'api', 'queues'];

export interface StepReport {
  name: string;
  from: string;
  drainMs: number;
  /** From the drain's start until the new process was healthy. */
  ms: number;
}

export interface RolloutReport {
  steps: StepReport[];
  ms: number;
  /** Set when a new process never became healthy and was put back. */
  rolledBack?: { name: string; reason: string; detectMs: number; rollbackMs: number };
}

export interface RolloutOptions {
  control: string;
  build: string;
  health: HealthTarget;
  healthTimeoutMs: number;
  log: (line: string) => void;
}

async function current(control: string, name: string): Promise<ProgramView> {
  const found = (await listPrograms(control)).find((p) => p.name === name);
  if (!found) throw new Error(`${name} is gone from the cluster`);
  return found;
}

/** Healthy within the timeout, or why not; a process that exits (the supervisor restarts it) fails at once. */
async function waitHealthy(options: RolloutOptions, name: string): Promise<string | undefined> {
  const deadline = Date.now() + options.healthTimeoutMs;
  while (Date.now() < deadline) {
    const program = await current(options.control, name);
    if (program.restarts > 0) return `exited after start (restarted ${program.restarts}×)`;
    if (await isServing(program, options.health)) return undefined;
    await sleep(500);
  }
  return `not healthy within ${options.healthTimeoutMs / 1000} s`;
}

export function deployOrder(programs: ProgramView[]): ProgramView[] {
  return ORDER.flatMap((service) => programs.filter((p) => p.service === service).sort((a, b) => a.name.localeCompare(b.name)));
}

export async function rollout(options: RolloutOptions): Promise<RolloutReport> {
  const started = Date.now();
  const steps: StepReport[] = [];
  for (const program of deployOrder(await listPrograms(options.control))) {
    if (program.build === options.build) {
      options.log(`${program.name}: already on this build`);
      continue;
    }
    const stepStarted = Date.now();
    const { drainMs } = await replaceBuild(options.control, program.name, options.build);
    options.log(`${program.name}: drained in ${(drainMs / 1000).toFixed(1)} s, new process started`);
    const problem = await waitHealthy(options, program.name);
    if (problem) {
      const detectMs = Date.now() - stepStarted;
      options.log(`${program.name}: ${problem}: rolling back to ${program.build}`);
      const back = Date.now();
      await replaceBuild(options.control, program.name, program.build);
      const stillBad = await waitHealthy(options, program.name);
      if (stillBad) throw new Error(`${program.name} is unhealthy on its old build too (${stillBad}): look at the cluster log`);
      const rollbackMs = Date.now() - back;
      options.log(`${program.name}: back on its old build and healthy in ${(rollbackMs / 1000).toFixed(1)} s`);
      return { steps, ms: Date.now() - started, rolledBack: { name: program.name, reason: problem, detectMs, rollbackMs } };
    }
    steps.push({ name: program.name, from: program.build, drainMs, ms: Date.now() - stepStarted });
    options.log(`${program.name}: healthy on the new build (${((Date.now() - stepStarted) / 1000).toFixed(1)} s)`);
    // nginx marks a replica that failed a request as down for its fail_timeout (edge.ts): the next API
    // replica may only be drained once nginx sends to this one again, or both are down for nginx at once.
    if (program.service === 'api') await sleep(NGINX_FAIL_TIMEOUT_MS + 1000);
  }
  return { steps, ms: Date.now() - started };
}
