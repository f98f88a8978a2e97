/**
 * `npm run deploy` against the cluster: a build whose workflow bundle does not replay is refused before
 * any process is touched; a build that cannot start is rolled back on the first process it reached.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProgramView } from '../../scripts/lib/cluster/control.js';
import { listPrograms } from '../../scripts/lib/deploy/control-client.js';
import { makeBrokenBuild } from '../../scripts/lib/deploy/broken-build.js';
import { deploy, scratchBuildDir as scratch, summary } from '../support/deploy-run.js';
import { env } from '../support/harness.js';

const byName = (programs: ProgramView[]) => Object.fromEntries(programs.map((p) => [p.name, p]));

describe('npm run deploy on the cluster', () => {
  let released: string;

  beforeAll(async () => {
    released = (await listPrograms(env().CONTROL_SOCKET!))[0]!.build;
  });

  it('refuses a build whose workflow code would not replay running deliveries, replacing no process', async () => {
    const broken = await makeBrokenBuild('replay', released, scratch('replay'));
    const before = await listPrograms(env().CONTROL_SOCKET!);
    const outcome = await deploy(broken, '--no-load');
    console.log(summary(outcome));
    expect(outcome.exitCode, outcome.output).toBe(3);
    expect(outcome.output).toContain('REFUSED');
    expect(outcome.result.gate.failures.length).toBe(outcome.result.gate.replayed);
    expect(outcome.result.gate.failures[0].error).toMatch(/Nondeterminism|DeterminismViolation/i);
    const after = await listPrograms(env().CONTROL_SOCKET!);
    expect(after.map((p) => [p.name, p.pid, p.build])).toEqual(before.map((p) => [p.name, p.pid, p.build]));
  }, 240_000);

  it('rolls a build that cannot start back on the first process it replaced, and goes no further', async () => {
    const broken = await makeBrokenBuild('health', released, scratch('health'));
    const before = byName(await listPrograms(env().CONTROL_SOCKET!));
    const outcome = await deploy(broken, '--no-load', '--health-timeout', '60');
    console.log(summary(outcome));
    expect(outcome.exitCode, outcome.output).toBe(4);
    expect(outcome.result.rollout.rolledBack).toMatchObject({ name: 'worker-1' });
    expect(outcome.result.rollout.rolledBack.rollbackMs).toBeLessThan(60_000);
    const after = byName(await listPrograms(env().CONTROL_SOCKET!));
    expect(after['worker-1']).toMatchObject({ build: released, restarts: 0 });
    expect(after['worker-1']!.pid).not.toBe(before['worker-1']!.pid);
    // The others were never replaced (their pid may change if one crashes and its supervisor restarts it).
    for (const name of Object.keys(before).filter((n) => n !== 'worker-1')) expect(after[name]!.build, name).toBe(released);
  }, 240_000);
});
