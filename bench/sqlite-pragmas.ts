/**
 * The dev server's SQLite settings: B1's HTTP lifecycle on a dev server with the pragmas `npm start` sets
 * (journal_mode=WAL, synchronous=OFF) — the baseline — without them, and in memory; all three stacks run
 * at once and take turns, round by round.
 */
import { prepareLifecycle, ROUNDS, runLifecycle, Tally, warmLifecycle, type LifecycleSetup } from './b1-lifecycle.js';
import type { Figure } from './lib/context.js';
import { DEMO_PASSWORD, startStack, type Stack } from './lib/env.js';
import type { FigureRow } from './lib/table.js';
import { SQLITE_MODES, type SqliteMode } from './lib/temporal-server.js';

const MODES = ['wal', 'file', 'memory'] as const;

export const sqliteFigure: Figure = async (ctx) => {
  const { log, sizes } = ctx;
  const stacks: Partial<Record<SqliteMode, Stack>> = { wal: ctx.stack };
  const setups: Partial<Record<SqliteMode, LifecycleSetup>> = {};
  const tallies = { wal: new Tally(), file: new Tally(), memory: new Tally() };
  try {
    for (const mode of ['file', 'memory'] as const) {
      stacks[mode] = await startStack(ctx.cli, mode, ctx.dir, ctx.db, { profile: ctx.profile, profileDir: ctx.profileDir });
    }
    for (const mode of MODES) {
      setups[mode] = await prepareLifecycle(stacks[mode]!.apiUrl, DEMO_PASSWORD, sizes.lanes, ctx.nextAreaOffset(sizes.lanes));
      await warmLifecycle(setups[mode]!);
    }
    log(`SQLITE: B1 (${sizes.sqliteDeliveries} deliveries) on each of: ${MODES.map((m) => SQLITE_MODES[m]).join('; ')}`);
    const perRound = Math.ceil(sizes.sqliteDeliveries / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const mode of MODES) await runLifecycle(setups[mode]!, perRound, tallies[mode]);
    }
  } finally {
    for (const mode of MODES) await setups[mode]?.close();
    await stacks.file?.stop();
    await stacks.memory?.stop();
  }
  const wal = tallies.wal.result(sizes.lanes);
  const row = (mode: 'file' | 'memory', name: string): FigureRow => {
    const r = tallies[mode].result(sizes.lanes);
    return {
      id: 'SQLITE',
      name,
      value: `${r.perSecond.toFixed(1)} deliveries/s`,
      baseline: `${wal.perSecond.toFixed(1)} deliveries/s (WAL + synchronous=OFF)`,
      ratio: r.perSecond / wal.perSecond,
      target: '—',
      met: null,
      details: { subject: r, baseline: wal },
    };
  };
  return [row('file', 'B1, SQLite file without pragmas'), row('memory', 'B1, SQLite in memory')];
};
