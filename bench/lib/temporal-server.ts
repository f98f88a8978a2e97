/**
 * Temporal dev servers for the benchmarks: like scripts/temporal.mjs, but with the SQLite store chosen per
 * run (file with the WAL pragmas `npm start` uses, file without them, or in memory) so they can be compared.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isReachable, registerSearchAttributes, SEARCH_ATTRIBUTES } from '../../scripts/temporal.mjs';
import { freePort } from '../../scripts/lib/ports.js';

export type SqliteMode = 'wal' | 'file' | 'memory';

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

const describe = (cli: string, address: string) =>
  new Promise<boolean>((resolve) => {
    execFile(cli, ['operator', 'namespace', 'describe', '-n', 'default', '--address', address], { timeout: 5000 }, (err) => resolve(!err));
  });

export async function startTemporal(cli: string, mode: SqliteMode, dir: string): Promise<BenchTemporal> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'warn', '--namespace', 'default'];
  if (mode !== 'memory') args.push('--db-filename', join(dir, `temporal-${mode}.sqlite`));
  if (mode === 'wal') args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  const logFile = join(dir, `temporal-${mode}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(cli, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (!((await isReachable(address, 500)) && (await describe(cli, address)))) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server (${mode}) exited at start; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal dev server (${mode}) was not ready within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await registerSearchAttributes({ cliPath: cli, address });
  return { address, mode, pid: child.pid!, stop };
}
