/**
 * The production topology on one machine: a Temporal cluster on Postgres, the platform's processes as
 * docker-compose.yml runs them (2 API replicas, 2 delivery workers, 2 queue processors by default),
 * nginx in front, Prometheus, Alertmanager and the Temporal Web UI. Used by `npm run start:cluster`
 * (default ports) and by the cluster tests and benchmarks (free ports, scratch databases).
 */
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalServer } from '../../temporal-server.mjs';
import { createSequelize, ensureDatabase } from '../../../db/connection.js';
import { initModels } from '../../../db/models.js';
import { seedDemoData } from '../../../db/seed.js';
import { appProcess, composeAppServices, type AppProcessPlan } from './app-processes.js';
import { ALERTMANAGER_CONFIG, ensureCertificate, ensurePackages, PACKAGES, prometheusConfig, uiServerConfig, writeNginxConfig } from './edge.js';
import { startControl, type AppProgram } from './control.js';
import { supervise, type LogSink, type ProgramSpec, type Supervised } from './supervisor.js';
import { startTemporalCluster, type TemporalPorts } from './temporal-cluster.js';

const run = promisify(execFile);

export interface ClusterPorts {
  https: number;
  prometheus: number;
  alertmanager: number;
  ui: number;
  temporal: TemporalPorts;
  /** One entry per replica. */
  api: number[];
  worker: number[];
  queues: number[];
}

export interface ClusterOptions {
  root: string;
  /** Certificates, generated configs, Prometheus and Alertmanager data; kept between starts. */
  dataDir: string;
  /** The build the app processes run (`npm run build` output). */
  dist: string;
  ports: ClusterPorts;
  /** postgres://user[:password]@host:port — the server; database names come from `databases`. */
  postgresUrl: string;
  databases: { app: string; temporal: string; visibility: string };
  redisUrl: string;
  redisPrefix: string;
  namespace: string;
  historyShards: number;
  /** Values compose interpolates into the app's environment (JWT_SECRET, LOG_LEVEL, …). */
  vars: Record<string, string | undefined>;
  /** Seeds the demo accounts with this password (never in a real production database). */
  demoPassword?: string;
  /** Not compose's: lets benchmarks lift the rate limit, as the dev-server benchmarks do. */
  benchmarkEnv?: Record<string, string>;
  /** How migrate, api, worker and queues run; from `dist` on this machine when not given. */
  launcher?: AppLauncher;
  log: (line: string) => void;
  sink: LogSink;
}

/**
 * Runs the platform's processes of the cluster: natively from the build (the default), or otherwise with
 * the same command and environment, e.g. as containers of the image (scripts/lib/cluster/containers.ts).
 */
export interface AppLauncher {
  /** The migrate role, run to completion; rejects with its output when it fails. */
  runOnce(plan: AppProcessPlan): Promise<void>;
  /** A long-running role under the supervisor. */
  start(plan: AppProcessPlan, stopGraceMs: number): Supervised;
  /** The supervisor's spec of a role, where a process can be swapped to another build (`npm run deploy`). */
  spec?(plan: AppProcessPlan, stopGraceMs: number): ProgramSpec;
}

/** Each role as `node <dist>/scripts/start-prod.js <role>`, as `npm run start:prod` runs it. */
export function nativeLauncher(options: Pick<ClusterOptions, 'root' | 'benchmarkEnv' | 'sink'>): AppLauncher {
  const searchPath = { PATH: process.env.PATH ?? '' };
  return {
    async runOnce(plan) {
      await run(process.execPath, plan.args, { cwd: options.root, env: { ...plan.env, ...searchPath }, maxBuffer: 16 * 1024 * 1024 });
    },
    spec(plan, stopGraceMs) {
      const env = { ...plan.env, ...options.benchmarkEnv, ...searchPath };
      return { name: plan.name, command: process.execPath, args: plan.args, env, cwd: options.root, stopGraceMs };
    },
    start(plan, stopGraceMs) {
      return supervise(this.spec!(plan, stopGraceMs), options.sink);
    },
  };
}

export interface Cluster {
  urls: { app: string; temporalUi: string; prometheus: string; alertmanager: string; temporal: string };
  processes: Supervised[];
  /** The supervisor's control socket, which `npm run deploy` drives (control.ts). */
  control: string;
  stop(): Promise<void>;
}

function databaseUrl(server: string, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The migrate role, run to completion as compose's one-shot service is. */
async function migrate(options: ClusterOptions, launcher: AppLauncher, compose: ReturnType<typeof composeAppServices>, local: Record<string, string>): Promise<void> {
  const plan = appProcess(compose, 'migrate', { name: 'migrate', dist: options.dist, vars: options.vars, local: local as never, perProcess: { REDIS_PREFIX: options.redisPrefix } });
  try {
    await launcher.runOnce(plan);
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`migrate failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-5).join('\n')}`, { cause: error });
  }
  options.log('database migrated, search attributes in place');
}

async function seed(url: string, password: string, log: (line: string) => void): Promise<void> {
  const sequelize = createSequelize(url, { poolMax: 2 });
  try {
    initModels(sequelize);
    if ((await seedDemoData(sequelize, password)).created) log('loaded demo accounts and drivers');
  } finally {
    await sequelize.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s`);
}

const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;

/** GET over HTTPS accepting the cluster's self-signed certificate. */
export function getInsecure(url: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { ports, log, sink } = options;
  const processes: Supervised[] = [];
  const apps: AppProgram[] = [];
  const controlPath = path.join(options.dataDir, 'control.sock');
  let control: Awaited<ReturnType<typeof startControl>> | undefined;
  let temporalStop: (() => Promise<void>) | undefined;
  const stop = async () => {
    // No deploy may replace a process while the cluster stops.
    await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
    // Intake first (nginx, the API), then the processes that finish work, then what they talk to.
    const byName = (prefix: string) => processes.filter((p) => p.name.startsWith(prefix));
    for (const group of ['nginx', 'api', 'queues', 'worker', 'temporal-ui', 'alertmanager', 'prometheus']) {
      await Promise.all(byName(group).map((p) => p.stop()));
    }
    await temporalStop?.();
  };

  try {
    await ensurePackages(log);
    const binaries = await ensureTemporalServer({ log: (...parts: unknown[]) => log(parts.join(' ')) });
    await mkdir(options.dataDir, { recursive: true });
    const cert = await ensureCertificate(path.join(options.dataDir, 'certs'), log);

    const temporal = await startTemporalCluster({
      root: options.root,
      binaries,
      postgresUrl: options.postgresUrl,
      databases: { main: options.databases.temporal, visibility: options.databases.visibility },
      ports: ports.temporal,
      historyShards: options.historyShards,
      namespace: options.namespace,
      retentionDays: 30,
      log,
      sink,
    });
    temporalStop = temporal.stop;
    processes.push(...temporal.processes);

    const appUrl = `https://localhost:${ports.https}`;
    const uiUrl = `http://localhost:${ports.ui}`;
    const appDatabase = databaseUrl(options.postgresUrl, options.databases.app);
    if ((await ensureDatabase(appDatabase)) === 'created') log(`created database ${options.databases.app}`);
    const local = { DATABASE_URL: appDatabase, REDIS_URL: options.redisUrl, TEMPORAL_ADDRESS: temporal.address, PUBLIC_URL: appUrl, TEMPORAL_UI_URL: uiUrl };
    const compose = composeAppServices(options.root);
    const launcher = options.launcher ?? nativeLauncher(options);
    await migrate(options, launcher, compose, local);
    if (options.demoPassword) await seed(appDatabase, options.demoPassword, log);

    const replicas: Array<[AppProgram['service'], number[], 'PORT' | 'WORKER_METRICS_PORT' | 'QUEUE_METRICS_PORT']> = [
      ['worker', ports.worker, 'WORKER_METRICS_PORT'],
      ['queues', ports.queues, 'QUEUE_METRICS_PORT'],
      ['api', ports.api, 'PORT'],
    ];
    for (const [service, servicePorts, portKey] of replicas) {
      servicePorts.forEach((port, i) => {
        const planFor = (dist: string) =>
          appProcess(compose, service, {
            name: `${service}-${i + 1}`,
            dist,
            vars: options.vars,
            local,
            // Unused listeners get port 0: each replica's metrics port must not collide with another's.
            perProcess: { PORT: '0', WORKER_METRICS_PORT: '0', QUEUE_METRICS_PORT: '0', [portKey]: String(port), REDIS_PREFIX: options.redisPrefix },
          });
        const program = launcher.start(planFor(options.dist), 40_000);
        processes.push(program);
        const { spec } = launcher;
        if (spec) apps.push({ program, service, port, build: options.dist, specFor: (dist) => spec.call(launcher, planFor(dist), 40_000) });
      });
    }

    const nginxDir = path.join(options.dataDir, 'nginx');
    const nginxConf = await writeNginxConfig({ dir: nginxDir, port: ports.https, apiPorts: ports.api, cert });
    processes.push(supervise({ name: 'nginx', command: PACKAGES.nginx, args: ['-p', nginxDir, '-c', nginxConf, '-g', 'daemon off;'], stopGraceMs: 10_000 }, sink));

    const promDir = path.join(options.dataDir, 'prometheus');
    await mkdir(promDir, { recursive: true });
    const temporalMetrics = Object.values(ports.temporal.metrics);
    await writeFile(
      path.join(promDir, 'prometheus.yml'),
      prometheusConfig(options.root, { api: ports.api, worker: ports.worker, queues: ports.queues, temporal: temporalMetrics, prometheus: ports.prometheus, alertmanager: ports.alertmanager }),
    );
    processes.push(
      supervise(
        {
          name: 'prometheus',
          command: PACKAGES.prometheus,
          args: [`--config.file=${path.join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${ports.prometheus}`, '--storage.tsdb.retention.time=15d', '--log.level=warn'],
        },
        sink,
      ),
    );

    const amDir = path.join(options.dataDir, 'alertmanager');
    await mkdir(amDir, { recursive: true });
    await writeFile(path.join(amDir, 'alertmanager.yml'), ALERTMANAGER_CONFIG);
    processes.push(
      supervise(
        {
          name: 'alertmanager',
          command: PACKAGES['prometheus-alertmanager'],
          // No peers: one Alertmanager, so its gossip port stays closed.
          args: [`--config.file=${path.join(amDir, 'alertmanager.yml')}`, `--storage.path=${path.join(amDir, 'data')}`, `--web.listen-address=127.0.0.1:${ports.alertmanager}`, '--cluster.listen-address=', '--log.level=warn'],
        },
        sink,
      ),
    );

    const uiDir = path.join(options.dataDir, 'temporal-ui');
    await mkdir(uiDir, { recursive: true });
    await writeFile(path.join(uiDir, 'base.yaml'), '');
    await writeFile(path.join(uiDir, 'cluster.yaml'), uiServerConfig({ frontend: temporal.address, port: ports.ui, namespace: options.namespace }));
    processes.push(supervise({ name: 'temporal-ui', command: binaries.uiServer, args: ['--root', uiDir, '--config', '.', '--env', 'cluster', 'start'] }, sink));

    for (const port of ports.api) await waitFor(`the API replica on :${port}`, answers(`http://127.0.0.1:${port}/ready`), 120_000);
    await waitFor(`nginx on :${ports.https}`, async () => (await getInsecure(`${appUrl}/ready`)).status === 200, 60_000);
    await waitFor(`the Temporal UI on :${ports.ui}`, answers(`http://127.0.0.1:${ports.ui}/`), 60_000);
    await waitFor(`Prometheus on :${ports.prometheus}`, answers(`http://127.0.0.1:${ports.prometheus}/-/ready`), 60_000);
    control = await startControl(controlPath, apps);

    return {
      urls: { app: appUrl, temporalUi: uiUrl, prometheus: `http://localhost:${ports.prometheus}`, alertmanager: `http://localhost:${ports.alertmanager}`, temporal: temporal.address },
      processes,
      control: controlPath,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
