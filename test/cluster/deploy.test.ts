/**
 * `npm run deploy` against the cluster: a build whose workflow bundle does not replay is refused before
 * any process is touched; a build that cannot start is rolled back on the first process it reached; a
 * good build rolls through every process, workers first, under load, with no request failed.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgramView } from '../../scripts/lib/cluster/control.js';
import { listPrograms } from '../../scripts/lib/deploy/control-client.js';
import { copyBuild, makeBrokenBuild } from '../../scripts/lib/deploy/broken-build.js';
import { env } from '../support/harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const scratch = (name: string) => path.join(root, '.data', `deploy-test-${process.pid}-${name}`);

interface DeployRun {
  exitCode: number;
  output: string;
  result: Record<string, any>;
}

async function deploy(build: string, ...extra: string[]): Promise<DeployRun> {
  const args = ['--import', 'tsx', 'scripts/deploy.ts', '--build', build, '--control', env().CONTROL_SOCKET!, '--app', env().APP_URL!, '--temporal', env().TEMPORAL_ADDRESS!, ...extra];
  const childEnv = { ...process.env, DEMO_PASSWORD: env().DEMO_PASSWORD };
  const finished = await run(process.execPath, args, { cwd: root, env: childEnv, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ exitCode: 0, output: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ exitCode: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  const line = finished.output.split('\n').find((l) => l.startsWith('deploy-result '));
  return { ...finished, result: line ? JSON.parse(line.slice('deploy-result '.length)) : {} };
}

const byName = (programs: ProgramView[]) => Object.fromEntries(programs.map((p) => [p.name, p]));

describe('npm run deploy on the cluster', () => {
  let released: string;
  const made: string[] = [];

  beforeAll(async () => {
    released = (await listPrograms(env().CONTROL_SOCKET!))[0]!.build;
  });
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a build whose workflow code would not replay running deliveries, replacing no process', async () => {
    const broken = await makeBrokenBuild('replay', released, scratch('replay'));
    made.push(broken);
    const before = await listPrograms(env().CONTROL_SOCKET!);
    const outcome = await deploy(broken, '--no-load');
    expect(outcome.exitCode, outcome.output).toBe(3);
    expect(outcome.output).toContain('REFUSED');
    expect(outcome.result.gate.failures.length).toBe(outcome.result.gate.replayed);
    expect(outcome.result.gate.failures[0].error).toMatch(/Nondeterminism|DeterminismViolation/i);
    const after = await listPrograms(env().CONTROL_SOCKET!);
    expect(after.map((p) => [p.name, p.pid, p.build])).toEqual(before.map((p) => [p.name, p.pid, p.build]));
  }, 240_000);

  it('rolls a build that cannot start back on the first process it replaced, and goes no further', async () => {
    const broken = await makeBrokenBuild('health', released, scratch('health'));
    made.push(broken);
    const before = byName(await listPrograms(env().CONTROL_SOCKET!));
    const outcome = await deploy(broken, '--no-load', '--health-timeout', '60');
    expect(outcome.exitCode, outcome.output).toBe(4);
    expect(outcome.result.rollout.rolledBack).toMatchObject({ name: 'worker-1' });
    expect(outcome.result.rollout.rolledBack.rollbackMs).toBeLessThan(60_000);
    const after = byName(await listPrograms(env().CONTROL_SOCKET!));
    expect(after['worker-1']).toMatchObject({ build: released, restarts: 0 });
    expect(after['worker-1']!.pid).not.toBe(before['worker-1']!.pid);
    for (const name of Object.keys(before).filter((n) => n !== 'worker-1')) expect(after[name]!.pid, name).toBe(before[name]!.pid);
  }, 240_000);

  it('rolls a good build through every process, workers first, under load, no request or delivery failed', async () => {
    const next = await copyBuild(released, scratch('next'));
    made.push(next);
    const outcome = await deploy(next, '--settle', '90');
    expect(outcome.exitCode, outcome.output).toBe(0);
    expect(outcome.result.rollout.steps.map((s: { name: string }) => s.name)).toEqual(['worker-1', 'worker-2', 'api-1', 'api-2', 'queues-1', 'queues-2']);
    expect(outcome.result.load.failed).toBe(0);
    expect(outcome.result.load.ordered).toBeGreaterThan(0);
    expect(outcome.result.load.notDelivered).toEqual([]);
    const after = await listPrograms(env().CONTROL_SOCKET!);
    expect(after.every((p) => p.build === next)).toBe(true);
  }, 480_000);
});
