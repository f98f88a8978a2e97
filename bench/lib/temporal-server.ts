/**
 * Temporal dev servers for the benchmarks, started by scripts/temporal.mjs like everywhere else, with the
 * SQLite store chosen per run so the stores can be compared.
 */
import { join } from 'node:path';
import { startDevServer, type SqliteStore } from '../../scripts/temporal.mjs';
import { freePort } from '../../scripts/lib/ports.js';

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
  const server = await startDevServer({
    cliPath: cli,
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    store: mode,
    dbFile: join(dir, `temporal-${mode}.sqlite`),
    logFile: join(dir, `temporal-${mode}.log`),
    log: () => {},
  });
  return { address: server.address, mode, pid: server.child.pid!, stop: server.stop };
}
