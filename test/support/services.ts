/** Starting and stopping the machine's own services, for fault tests. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

async function clusterVersion(): Promise<string> {
  const { stdout } = await run('ls', ['/etc/postgresql']);
  return stdout.trim().split('\n')[0]!;
}

/** Restarts the local PostgreSQL cluster (as CI and the development machines run it). */
export async function restartPostgres(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', await clusterVersion(), 'main', 'restart', '--', '-m', 'fast'], { timeout: 60_000 });
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A Redis of the test's own on a free port that keeps its data across a stop/start (RDB on shutdown). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'redis-fault-'));
  const start = async () => {
    await run('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no', '--logfile', path.join(dir, 'redis.log')]);
    for (let i = 0; i < 50; i += 1) {
      try {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
        if (stdout.trim() === 'PONG') return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis on ${port} did not start`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'save']).catch(() => undefined);
    },
  };
}
