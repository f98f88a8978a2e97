/** `npm run build` + `npm run start:prod`: the compiled system serves from its build output and refuses unsafe config. */
import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_JWT_SECRET } from '../../config/env.js';
import { call, createDriverAt, deliveryBody, env, isolatedArea, loginAs, waitFor, waitForDelivery } from '../support/harness.js';
import { freePort } from '../support/ports.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const out = path.join(root, '.data', `build-test-${process.pid}`);
const run = promisify(execFile);
const prodEnv = (overrides: Record<string, string>) => ({ ...process.env, ...env(), NODE_ENV: 'production', LOG_LEVEL: 'warn', ...overrides });

describe('the production build', () => {
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build.mjs', '--no-web', '--out', out], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  }, 240_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('refuses to start with the development JWT secret, naming the key', async () => {
    const refused = await run(process.execPath, [path.join(out, 'scripts', 'start-prod.js'), 'api'], {
      cwd: root,
      env: prodEnv({ JWT_SECRET: DEFAULT_JWT_SECRET }),
    }).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain('JWT_SECRET: the development default is refused in production');
  });

  it('rejects an unknown role', async () => {
    const refused = await run(process.execPath, [path.join(out, 'scripts', 'start-prod.js'), 'everything'], { cwd: root, env: prodEnv({}) }).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unknown role "everything": use one of api, worker, queues, migrate, all');
  });

  it('runs every role from the build (prebuilt workflow bundle) and stops with exit 0 on SIGTERM', async () => {
    const [port, workerMetrics, queueMetrics] = await Promise.all([freePort(), freePort(), freePort()]);
    const base = `http://127.0.0.1:${port}`;
    let output = '';
    const child = spawn(process.execPath, [path.join(out, 'scripts', 'start-prod.js'), 'all'], {
      cwd: root,
      env: prodEnv({
        PORT: String(port),
        WORKER_METRICS_PORT: String(workerMetrics),
        QUEUE_METRICS_PORT: String(queueMetrics),
        TEMPORAL_TASK_QUEUE: `deliveries-prod-${process.pid}`,
        LOG_LEVEL: 'info',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('the api from the build', async () => (await call(base, 'GET', '/ready')).status === 200, 90_000, 500);
      expect(output).toContain('"msg":"schema up to date"');
      // No bundling at start: the worker loaded the bundle the build wrote.
      expect(output).not.toContain('Workflow bundle created');
      // The API can be ready a moment before the worker has connected and started polling.
      await waitFor('the worker running', async () => (await fetch(`http://127.0.0.1:${workerMetrics}/health`)).status === 200, 30_000, 250);

      const area = isolatedArea();
      const [customer, dispatcher] = await loginAs(base, 'customer', 'dispatcher');
      const driver = await createDriverAt(base, dispatcher, area);
      const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
      expect(created.status).toBe(201);
      await waitForDelivery(base, dispatcher.token, created.body.id, (d) => d.offer?.driverId === driver.user.driverId);
      const accepted = await call(base, 'POST', `/api/v1/deliveries/${created.body.id}/milestones`, { token: driver.token, body: { type: 'accept_offer' } });
      expect(accepted.body.status).toBe('ASSIGNED');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"worker stopped"');
    expect(output).toContain('"msg":"queue processors stopped"');
  }, 180_000);
});
