/**
 * `npm run start:cluster`: the production topology on this machine (DEPLOYMENT.md, "The tested
 * reference"): a Temporal cluster on Postgres, two replicas each of api, worker and queues built from
 * dist/ and run as docker-compose.yml runs them, nginx on https://localhost:8443, Prometheus, Alertmanager
 * and the Temporal Web UI. Ctrl-C stops all of it; data is kept for the next start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEMO_PASSWORD } from '../config/env.js';
import { ensureBuild } from './lib/cluster/build.js';
import { startCluster, type Cluster, type ClusterPorts } from './lib/cluster/cluster.js';
import { logSink } from './lib/cluster/supervisor.js';
import { checkPostgres, checkRedis, DependencyError } from './lib/dependencies.js';
import { isReachable } from './temporal.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, '.data', 'cluster');
const log = (line: string) => console.log(`${'cluster'.padEnd(17)}| ${line}`);

export const DEFAULT_PORTS: ClusterPorts = {
  https: 8443,
  prometheus: 9090,
  alertmanager: 9093,
  ui: 8233,
  temporal: {
    frontend: 7233,
    frontendHttp: 7243,
    history: 7234,
    matching: 7235,
    worker: 7239,
    membership: { frontend: 6933, history: 6934, matching: 6935, worker: 6939 },
    metrics: { frontend: 9191, history: 9192, matching: 9193, worker: 9194 },
  },
  api: [8001, 8002],
  worker: [9471, 9472],
  queues: [9481, 9482],
};

function allPorts(ports: ClusterPorts): number[] {
  const t = ports.temporal;
  return [ports.https, ports.prometheus, ports.alertmanager, ports.ui, t.frontend, t.frontendHttp, t.history, t.matching, t.worker, ...Object.values(t.membership), ...Object.values(t.metrics), ...ports.api, ...ports.worker, ...ports.queues];
}

async function jwtSecret(): Promise<string> {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function banner(cluster: Cluster, demoPassword: string, startedAt: number): string {
  const { app, temporalUi, prometheus, alertmanager, temporal } = cluster.urls;
  const rows: Array<[string, string]> = [
    ['App (nginx, TLS)', `${app}/dispatch  ${app}/driver  ${app}/customer`],
    ['API', `${app}/api/v1  (docs: ${app}/api/v1/docs)`],
    ['Readiness', `${app}/ready  (names the replica that answered)`],
    ['Temporal frontend', `${temporal}  (temporal operator cluster describe --address ${temporal})`],
    ['Temporal Web UI', temporalUi],
    ['Prometheus', prometheus],
    ['Alertmanager', alertmanager],
  ];
  return [
    '',
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    `  Logistics platform cluster is ready (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`,
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    ...rows.map(([label, url]) => `  ${label.padEnd(20)} ${url}`),
    '',
    '  The certificate is self-signed: accept it once in the browser (curl -k).',
    `  Demo logins: dispatcher@example.com, customer@example.com, driver1…5@example.com / ${demoPassword === DEFAULT_DEMO_PASSWORD ? demoPassword : '(your DEMO_PASSWORD)'}`,
    `  Logs of every process: ${path.relative(root, path.join(dataDir, 'cluster.log'))}`,
    '  Press Ctrl-C to stop everything (data is kept).',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const busy: number[] = [];
  for (const port of allPorts(DEFAULT_PORTS)) if (await isReachable(`127.0.0.1:${port}`, 500)) busy.push(port);
  if (busy.length) {
    const dev = busy.includes(7233) || busy.includes(8233) ? ' — `npm start`’s dev stack (its Temporal dev server holds 7233 and 8233) or another cluster is running; stop it first' : '';
    console.error(`cannot start the cluster: port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} in use${dev}`);
    return 1;
  }
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/logistics';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const server = new URL(databaseUrl);
  server.pathname = '/postgres';
  await checkPostgres(server.toString());
  await checkRedis(redisUrl);
  let dist: string;
  try {
    dist = ensureBuild(root, log);
  } catch (error) {
    throw new DependencyError((error as Error).message);
  }
  const demoPassword = process.env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD;
  await mkdir(dataDir, { recursive: true });
  const sink = logSink({ file: path.join(dataDir, 'cluster.log') });

  let cluster: Cluster | undefined = undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await cluster?.stop();
    log('stopped; data kept in Postgres (logistics_cluster, temporal, temporal_visibility) and .data/cluster');
    sink.close();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

  cluster = await startCluster({
    root,
    dataDir,
    dist,
    ports: DEFAULT_PORTS,
    postgresUrl: server.toString().replace(/\/postgres$/, ''),
    databases: { app: 'logistics_cluster', temporal: 'temporal', visibility: 'temporal_visibility' },
    redisUrl,
    // Its own keys: the cluster may share one Redis with `npm start`'s stack.
    redisPrefix: 'lpcluster',
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    historyShards: 8,
    vars: { JWT_SECRET: await jwtSecret(), LOG_LEVEL: process.env.LOG_LEVEL, GROQ_API_KEY: process.env.GROQ_API_KEY, SMTP_URL: process.env.SMTP_URL, WEBHOOK_ALLOWED_HOSTS: process.env.WEBHOOK_ALLOWED_HOSTS },
    demoPassword,
    log,
    sink,
  });
  if (stopping) return 0;
  console.log(banner(cluster, demoPassword, startedAt));
  return new Promise<number>(() => {});
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof DependencyError ? error.message : `start:cluster failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
