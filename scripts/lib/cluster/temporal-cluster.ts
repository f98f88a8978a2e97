/**
 * Temporal as a cluster on Postgres: both databases created and their schemas brought to the server's
 * version (safe on every start), then frontend, history, matching and the internal worker as four
 * supervised processes from one config (deploy/temporal/server.yaml), then the namespace and the
 * search attributes the delivery workflows write.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { ensureDatabase } from '../../../db/connection.js';
import { ensureSearchAttributes } from '../search-attributes.js';
import { supervise, type LogSink, type Supervised } from './supervisor.js';

const run = promisify(execFile);
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: Record<TemporalService, number>;
  metrics: Record<TemporalService, number>;
}

export interface TemporalClusterOptions {
  root: string;
  binaries: { server: string; sqlTool: string };
  /** postgres://user[:password]@host:port/ — the database names come from `databases`. */
  postgresUrl: string;
  databases: { main: string; visibility: string };
  ports: TemporalPorts;
  historyShards: number;
  namespace: string;
  retentionDays: number;
  log: (line: string) => void;
  sink: LogSink;
}

export interface TemporalCluster {
  address: string;
  processes: Supervised[];
  stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function hasSchema(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'");
    return (found.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** Creates what is missing and applies only the schema versions not yet applied. */
export async function prepareTemporalSchema(options: Pick<TemporalClusterOptions, 'binaries' | 'postgresUrl' | 'databases' | 'log'>): Promise<void> {
  const u = new URL(options.postgresUrl);
  const connection = ['--plugin', 'postgres12', '--ep', u.hostname, '-p', u.port || '5432', '-u', decodeURIComponent(u.username || 'postgres')];
  if (u.password) connection.push('--pw', decodeURIComponent(u.password));
  const schemas = [
    [options.databases.main, 'postgresql/v12/temporal'],
    [options.databases.visibility, 'postgresql/v12/visibility'],
  ] as const;
  for (const [database, schemaName] of schemas) {
    const url = withDatabase(options.postgresUrl, database);
    if ((await ensureDatabase(url)) === 'created') options.log(`created database ${database}`);
    const sql = (...args: string[]) => run(options.binaries.sqlTool, [...connection, '--db', database, ...args], { maxBuffer: 16 * 1024 * 1024 });
    if (!(await hasSchema(url))) await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '--schema-name', schemaName);
  }
  options.log(`Temporal schemas up to date in ${options.databases.main} and ${options.databases.visibility}`);
}

/** The environment deploy/temporal/server.yaml reads, for one service process. */
export function serviceEnvironment(options: TemporalClusterOptions, service: TemporalService): NodeJS.ProcessEnv {
  const u = new URL(options.postgresUrl);
  const { ports } = options;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_DB_HOST: u.hostname,
    TEMPORAL_DB_PORT: u.port || '5432',
    TEMPORAL_DB_USER: decodeURIComponent(u.username || 'postgres'),
    TEMPORAL_DB_PASSWORD: decodeURIComponent(u.password),
    TEMPORAL_DB: options.databases.main,
    TEMPORAL_VISIBILITY_DB: options.databases.visibility,
    TEMPORAL_HISTORY_SHARDS: String(options.historyShards),
    TEMPORAL_FRONTEND_PORT: String(ports.frontend),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    TEMPORAL_HISTORY_PORT: String(ports.history),
    TEMPORAL_MATCHING_PORT: String(ports.matching),
    TEMPORAL_WORKER_PORT: String(ports.worker),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.membership.frontend),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.membership.history),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.membership.matching),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.membership.worker),
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.metrics[service]}`,
    TEMPORAL_DYNAMIC_CONFIG: path.join(options.root, 'deploy', 'temporal', 'dynamicconfig.yaml'),
  };
}

async function waitForFrontend(address: string, namespace: string, retentionDays: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '3s' });
      try {
        await connection.healthService.check({});
        await registerNamespace(connection, namespace, retentionDays, log);
        // A new namespace reaches every frontend's cache some seconds after it is registered.
        const added = await ensureSearchAttributes(connection, namespace);
        if (added.length) log(`registered search attributes ${added.join(', ')}`);
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the Temporal frontend at ${address} did not become usable within 180 s (last: ${last})`);
}

async function registerNamespace(connection: Connection, namespace: string, retentionDays: number, log: (line: string) => void): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== 5) throw error; // NOT_FOUND
  }
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) });
  log(`registered namespace ${namespace} (retention ${retentionDays} days)`);
}

export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  await prepareTemporalSchema(options);
  const config = path.join(options.root, 'deploy', 'temporal');
  const processes = TEMPORAL_SERVICES.map((service) =>
    supervise(
      {
        name: `temporal-${service}`,
        command: options.binaries.server,
        // server.yaml is `<env>.yaml` in the config folder; --allow-no-auth: no authorizer on a loopback-only cluster.
        args: ['--root', '/', '--config', config, '--env', 'server', '--allow-no-auth', 'start', `--service=${service}`],
        env: serviceEnvironment(options, service),
        stopGraceMs: 15_000,
      },
      options.sink,
    ),
  );
  const address = `127.0.0.1:${options.ports.frontend}`;
  const stop = async () => {
    // Intake first: the frontend, then the internal worker, then what keeps state.
    for (const service of ['frontend', 'worker', 'matching', 'history']) {
      await processes.find((p) => p.name === `temporal-${service}`)?.stop();
    }
  };
  try {
    await waitForFrontend(address, options.namespace, options.retentionDays, options.log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, processes, stop };
}
