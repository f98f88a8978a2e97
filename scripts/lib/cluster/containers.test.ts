import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appProcess, composeAppServices } from './app-processes.js';
import { environmentArgs, replicaHealthcheck } from './containers.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const local = { DATABASE_URL: 'postgres://a@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:1', TEMPORAL_ADDRESS: '127.0.0.1:2', PUBLIC_URL: 'https://localhost:3', TEMPORAL_UI_URL: 'http://localhost:4' };
const vars = { JWT_SECRET: 'j'.repeat(48), APP_DB_PASSWORD: 'p', REDIS_PASSWORD: 'r' };
// What the Dockerfile's ENV sets, as `podman image inspect` reports it.
const imageEnv = { PORT: '8000', WORKER_METRICS_PORT: '9464', QUEUE_METRICS_PORT: '9465', NODE_ENV: 'production' };

const plan = (service: 'api' | 'worker' | 'queues' | 'migrate', perProcess: Record<string, string>) =>
  appProcess(composeAppServices(root), service, { name: `${service}-1`, dist: '/app/dist', vars, local, perProcess });

describe('a replica in a container gets compose’s health check on its own port', () => {
  it.each([
    ['api', { PORT: '8001', WORKER_METRICS_PORT: '0', QUEUE_METRICS_PORT: '0' }, 'http://127.0.0.1:8001/ready'],
    ['worker', { PORT: '0', WORKER_METRICS_PORT: '9471', QUEUE_METRICS_PORT: '0' }, 'http://127.0.0.1:9471/health'],
    ['queues', { PORT: '0', WORKER_METRICS_PORT: '0', QUEUE_METRICS_PORT: '9482' }, 'http://127.0.0.1:9482/health'],
  ] as const)('%s', (service, ports, url) => {
    const p = plan(service, ports);
    expect(p.command).toEqual([service]);
    expect(replicaHealthcheck(p, imageEnv)).toEqual(['node', 'dist/scripts/healthcheck.js', url]);
  });

  it('keeps the image’s port when the replica listens there, and leaves a check with no URL alone', () => {
    expect(replicaHealthcheck(plan('api', { PORT: '8000' }), imageEnv)).toEqual(['node', 'dist/scripts/healthcheck.js', 'http://127.0.0.1:8000/ready']);
    expect(replicaHealthcheck(plan('migrate', {}), imageEnv)).toEqual(['node', '-e', 'process.exit(0)']);
  });

  it('passes the environment as -e pairs, values untouched', () => {
    expect(environmentArgs({ A: 'x=y', B: 'postgres://u:p@h/db' })).toEqual(['-e', 'A=x=y', '-e', 'B=postgres://u:p@h/db']);
  });
});
