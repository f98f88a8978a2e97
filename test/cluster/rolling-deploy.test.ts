/**
 * `npm run deploy` of a good build under load: every process replaced, workers first, one at a time,
 * while customers order and drivers work; within the error budget and every order delivered.
 */
import { describe, expect, it } from 'vitest';
import { copyBuild } from '../../scripts/lib/deploy/broken-build.js';
import { listPrograms } from '../../scripts/lib/deploy/control-client.js';
import { deploy, scratchBuildDir, summary } from '../support/deploy-run.js';
import { env } from '../support/harness.js';

describe('a rolling deploy under load', () => {
  it('rolls a good build through every process, workers first, within the error budget, every order delivered', async () => {
    const next = await copyBuild((await listPrograms(env().CONTROL_SOCKET!))[0]!.build, scratchBuildDir('next'));
    const outcome = await deploy(next, '--settle', '90');
    console.log(summary(outcome));
    expect(outcome.exitCode, outcome.output).toBe(0);
    expect(outcome.result.rollout.steps.map((s: { name: string }) => s.name)).toEqual(['worker-1', 'worker-2', 'api-1', 'api-2', 'queues-1', 'queues-2']);
    expect(outcome.result.load.errorRate).toBeLessThanOrEqual(0.001);
    expect(outcome.result.load.ordered).toBeGreaterThan(0);
    expect(outcome.result.load.notDelivered).toEqual([]);
    const after = await listPrograms(env().CONTROL_SOCKET!);
    expect(after.every((p) => p.build === next)).toBe(true);
  }, 480_000);
});
