/** Temporal dev servers for the benchmarks, started as the tests start theirs, with the SQLite store chosen per run so the stores can be compared. */
import { join } from 'node:path';
import { startScratchTemporal } from '../../scripts/lib/temporal-dev.js';
import type { SqliteStore } from '../../scripts/temporal.mjs';

export type SqliteMode = SqliteStore;

export const SQLITE_MODES: Record<SqliteMode, string> = {
  wal: 'file, journal_mode=WAL + synchronous=OFF (npm start)',
  file: 'file, SQLite defaults (rollback journal, synchronous=FULL)',
  memory: 'in memory',
};

export interface BenchTemporal {
  address: string;
  mode: SqliteMode;
  pid: number;
  stop(): Promise<void>;
}

export async function startTemporal(cli: string, mode: SqliteMode, dir: string): Promise<BenchTemporal> {
  const server = await startScratchTemporal({ cliPath: cli, store: mode, dbFile: join(dir, `temporal-${mode}.sqlite`), logFile: join(dir, `temporal-${mode}.log`) });
  return { address: server.address, mode, pid: server.child.pid!, stop: server.stop };
}
