/** `npm start` as a user runs it: a dead dependency is one clear line and exit 1; a real start serves and stops cleanly. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../db/connection.js';
import { call, env, login, waitFor } from '../support/harness.js';
import { freePort } from '../support/ports.js';

const root = path.resolve(import.meta.dirname, '..', '..');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startCommand(overrides: Record<string, string>, args: string[] = []): Run {
  let output = '';
  const child = spawn(process.execPath, ['scripts/start.mjs', ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start with a dependency down', () => {
  it('names Postgres in one line and exits non-zero', async () => {
    const run = startCommand({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5999/x' });
    expect(await run.exited).not.toBe(0);
    const lines = run.output().trim().split('\n');
    expect(lines.filter((l) => l.includes('Postgres'))).toEqual([expect.stringMatching(/^Postgres is not reachable at 127\.0\.0\.1:5999 — start it with: /)]);
    expect(run.output()).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('names Redis when Postgres is up and Redis is not', async () => {
    const run = startCommand({ DATABASE_URL: env().DATABASE_URL!, REDIS_URL: 'redis://127.0.0.1:6999' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^Redis is not reachable at 127\.0\.0\.1:6999 — start it with: /m);
  });

  it('lists every bad configuration key instead of starting', async () => {
    const run = startCommand({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Configuration is invalid — .*PORT: .*LOG_LEVEL: /);
  });
});

describe('npm start end to end (own ports, own Temporal dev server)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('starts everything, serves a delivery, stops on SIGINT with code 0 and keeps the data for the next start', async () => {
    const [port, temporalPort, uiPort, workerMetrics, queueMetrics] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const databaseUrl = env().DATABASE_URL!.replace(/\/[^/]*$/, `/logistics_start_${process.pid}_${Date.now()}`);
    const overrides = {
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      DATABASE_URL: databaseUrl,
      REDIS_URL: env().REDIS_URL!,
      REDIS_PREFIX: `${env().REDIS_PREFIX}start`,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_URL: `http://localhost:${uiPort}`,
      TEMPORAL_TASK_QUEUE: `deliveries-start-${process.pid}`,
      WORKER_METRICS_PORT: String(workerMetrics),
      QUEUE_METRICS_PORT: String(queueMetrics),
      DEMO_PASSWORD: 'start-test-password',
    };
    const sqlite = path.join(root, '.data', 'temporal', `dev-${temporalPort}`);
    cleanups.push(() => dropDatabase(databaseUrl));
    cleanups.push(() => Promise.all(['.sqlite', '.sqlite-wal', '.sqlite-shm', '.log'].map((ext) => rm(`${sqlite}${ext}`, { force: true }))));
    const base = `http://127.0.0.1:${port}`;

    const first = startCommand(overrides, ['--no-web-build']);
    cleanups.push(async () => first.child.exitCode === null && first.child.kill('SIGKILL'));
    await waitFor('the ready banner', async () => first.output().includes('Logistics platform is ready') || first.child.exitCode !== null, 150_000, 500);
    expect(first.output()).toContain(`Temporal Web UI        http://localhost:${uiPort}`);
    expect(first.output()).toContain('driver1@example.com … driver5@example.com');

    const ready = await call(base, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: 'up', redis: 'up', temporal: 'up' });

    const customer = await login(base, 'customer@example.com', 'start-test-password');
    const body = {
      pickup: { address: 'Torstraße 1', lat: 52.53, lng: 13.4 },
      dropoff: { address: 'Kantstraße 5', lat: 52.5, lng: 13.32 },
      parcel: { weightKg: 2 },
      priority: 'standard',
    };
    const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('QUOTED');

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('start  | stopped');
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    const second = startCommand(overrides, ['--no-web-build']);
    cleanups.push(async () => second.child.exitCode === null && second.child.kill('SIGKILL'));
    await waitFor('the second ready banner', async () => second.output().includes('Logistics platform is ready') || second.child.exitCode !== null, 150_000, 500);
    expect(second.output()).toContain('database schema is up to date');
    expect(second.output()).not.toContain('loaded demo accounts');
    const again = await login(base, 'customer@example.com', 'start-test-password');
    const kept = await call(base, 'GET', `/api/v1/deliveries/${created.body.id}`, { token: again.token });
    expect(kept.status).toBe(200);
    expect(kept.body.status).toBe('QUOTED');
    // The workflow itself survived in the dev server's SQLite file: it still takes the customer's Update.
    const accepted = await call(base, 'POST', `/api/v1/deliveries/${created.body.id}/accept-quote`, { token: again.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('DISPATCHING');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 360_000);
});
