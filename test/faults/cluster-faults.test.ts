/**
 * The SIGKILL faults on the production topology (`npm run start:cluster`'s, on free ports): one cluster for
 * the file, a steady load of customers, drivers, a dispatcher board and tracking pages, and each of
 * Temporal's history, matching and frontend, one API replica, one delivery worker and one queue processor
 * killed in turn with deliveries in flight. No delivery may be lost or duplicated and no timeline may
 * have a gap; every process must come back. `npm run slo` runs the same faults and more, longer.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isFreshBuild } from '../../scripts/lib/cluster/build.js';
import { KILL_FAULTS } from '../../scripts/lib/slo/faults.js';
import { startSloInstance, type SloInstance } from '../../scripts/lib/slo/instance.js';
import { runSlo, type SloResult } from '../../scripts/lib/slo/run.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

describe('faults on the production topology, under load', () => {
  // The checkout's dist/ when it is current (the run after `npm run build`), else a server-only build of its own.
  const ownBuild = path.join(root, '.data', `cluster-faults-build-${process.pid}`);
  let dist = path.join(root, 'dist');
  const dataDir = inject('clusterDataDir');
  let instance: SloInstance | undefined;
  let result: SloResult;

  beforeAll(async () => {
    if (!isFreshBuild(root, dist)) {
      dist = ownBuild;
      await run(process.execPath, ['scripts/build.mjs', '--no-web', '--out', dist], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    }
    instance = await startSloInstance({ root, dist, dataDir, log: () => {}, postgresUrl: process.env.TEST_DATABASE_URL });
    result = await runSlo(
      instance,
      {
        faults: KILL_FAULTS,
        warmupMs: 10_000,
        spacingMs: 15_000,
        drainMs: 60_000,
        boards: 1,
        shape: { customers: 2, drivers: 4, openPerCustomer: 2, bookEveryMs: 3000, pingEveryMs: 2000, pingsPerLeg: 2 },
      },
      () => {},
    );
    // The figures docs/RELIABILITY.md records.
    for (const f of result.faults) {
      console.info(`${f.name}: in flight ${f.inFlight}, failed ${f.failed}/${f.requests}, recovered ${((f.recoveryMs ?? NaN) / 1000).toFixed(1)} s, green ${(((f.greenAt ?? NaN) - f.at) / 1000).toFixed(1)} s, lost ${f.lost}, dup ${f.duplicated}, gaps ${f.gaps}, missed live ${f.missedLive}`);
    }
  }, 900_000);

  afterAll(async () => {
    await instance?.stop();
    await rm(ownBuild, { recursive: true, force: true });
  }, 120_000);

  it.each(KILL_FAULTS)('%s: every process back, nothing lost, duplicated or out of order', (name) => {
    const fault = result.faults.find((f) => f.name === name)!;
    expect(fault.inFlight, 'deliveries in flight when it struck').toBeGreaterThan(0);
    expect(fault.greenAt, 'all green again').toBeDefined();
    expect(fault.recoveryMs!).toBeLessThan(5 * 60_000);
    expect({ lost: fault.lost, duplicated: fault.duplicated, gaps: fault.gaps }).toEqual({ lost: 0, duplicated: 0, gaps: 0 });
  });

  it('ends every booked delivery DELIVERED, equal to its workflow, each booking made once', () => {
    const broken = result.verdicts.deliveries.filter((d) => d.lost || d.duplicated.length || d.gaps.length);
    expect(broken).toEqual([]);
    expect(result.verdicts.deliveries.length).toBeGreaterThan(0);
    expect({ unknown: result.verdicts.unknown, unanswered: result.verdicts.unanswered }).toEqual({ unknown: [], unanswered: 0 });
  });
});
