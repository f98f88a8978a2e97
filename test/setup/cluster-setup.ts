/**
 * Once per `cluster` test run: the production topology of `npm run start:cluster` on free ports, with
 * scratch databases and a Redis prefix of its own, built from a scratch `npm run build`. Tests reach it
 * only through nginx over HTTPS; Node trusts the cluster's self-signed certificate and nothing else.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startCluster } from '../../scripts/lib/cluster/cluster.js';
import { freeClusterPorts } from '../../scripts/lib/cluster/free-ports.js';
import { ensureCertificate } from '../../scripts/lib/cluster/edge.js';
import { removeScratchStores, scratchStores } from '../../scripts/lib/cluster/scratch.js';
import { logSink } from '../../scripts/lib/cluster/supervisor.js';
import type { TestEnv } from './global-setup.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

export default async function setup(project: TestProject) {
  const log = (line: string) => console.error('[cluster]', line);
  const id = `${Date.now()}_${process.pid}`;
  const dataDir = path.join(root, '.data', `cluster-test-${process.pid}`);
  const dist = path.join(root, '.data', `cluster-build-${process.pid}`);
  const stores = scratchStores('ct', id, { databaseUrl: process.env.TEST_DATABASE_URL, redisUrl: process.env.TEST_REDIS_URL });
  const demoPassword = 'demo-password-for-cluster-tests';

  // Made before the test workers fork, so they start trusting it.
  const cert = await ensureCertificate(path.join(dataDir, 'certs'), log);
  process.env.NODE_EXTRA_CA_CERTS = cert.cert;
  log('building the app (npm run build --no-web) …');
  await run(process.execPath, ['scripts/build.mjs', '--no-web', '--out', dist], { cwd: root, maxBuffer: 64 * 1024 * 1024 });

  const ports = await freeClusterPorts();
  const sink = logSink({ file: path.join(dataDir, 'cluster.log'), quiet: !process.env.CLUSTER_LOGS });
  const started = Date.now();
  const cluster = await startCluster({
    root,
    dataDir,
    dist,
    ports,
    ...stores,
    namespace: 'default',
    historyShards: 8,
    vars: { JWT_SECRET: `cluster-test-secret-${id}-0123456789abcdef0123456789`, LOG_LEVEL: 'warn', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    demoPassword,
    log,
    sink,
  });
  log(`up in ${((Date.now() - started) / 1000).toFixed(0)} s: ${cluster.urls.app}`);

  const env: TestEnv = {
    APP_URL: cluster.urls.app,
    TEMPORAL_ADDRESS: cluster.urls.temporal,
    TEMPORAL_UI_URL: cluster.urls.temporalUi,
    PROMETHEUS_URL: cluster.urls.prometheus,
    TEMPORAL_NAMESPACE: 'default',
    DEMO_PASSWORD: demoPassword,
    API_PORTS: ports.api.join(','),
    DATA_DIR: dataDir,
    CONTROL_SOCKET: cluster.control,
  };
  project.provide('testEnv', env);

  return async () => {
    await cluster.stop();
    sink.close();
    if (process.env.KEEP_TEST_DB) return;
    await removeScratchStores(stores, (err, what) => log(`${what} failed: ${String(err)}`));
    await rm(dist, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  };
}
