/**
 * `npm run dr-drill [-- --build <dir>] [--load-seconds 45] [--keep]`: a disaster-recovery drill on a
 * scratch cluster of its own (free ports, its own databases and Redis prefix; a running
 * `npm run start:cluster` is not touched).
 * 1. Starts the cluster and runs deliveries (the deploy load) for a while.
 * 2. While they are in flight, dumps the read model, then Temporal's two databases (pg_dump).
 * 3. The disaster: the cluster is stopped, its databases and Redis keys are left behind.
 * 4. Restores the dumps into new databases and starts the cluster on them with an empty Redis prefix,
 *    then writes into the read model the transitions the histories hold beyond it.
 * 5. Checks every delivery: its workflow answers the state query, and the read model equals it.
 * 6. The drivers finish every delivery that was open, and the check runs again.
 * Prints each step's time; the last line is the result as JSON. Exit 0 only with no mismatch.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { createSequelize, dropDatabase } from '../db/connection.js';
import { isBuild } from './lib/cluster/control.js';
import { startCluster, type Cluster } from './lib/cluster/cluster.js';
import { ensureCertificate } from './lib/cluster/edge.js';
import { freeClusterPorts } from './lib/cluster/free-ports.js';
import { logSink } from './lib/cluster/supervisor.js';
import { DeployLoad } from './lib/deploy/load.js';
import { catchUpReadModel } from './lib/dr/catch-up.js';
import { dumpAll, restoreAll, type Databases } from './lib/dr/dumps.js';
import { compareWithWorkflows, knownDeliveries } from './lib/dr/verify.js';
import { removeScratchKeys } from './lib/redis-keys.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
};
const id = process.env.DR_DRILL_ID ?? new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
// Both clusters of a drill run one after the other from this folder (certificate, configs); one drill at a time.
const clusterDir = path.join(root, '.data', 'dr-drill');
const work = path.join(clusterDir, id);
const server = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const password = 'dr-drill-demo-password';
const loadMs = Number(option('--load-seconds', '45')) * 1000;
const before: Databases = { app: `lp_dr_${id}`, temporal: `temporal_dr_${id}`, visibility: `temporal_vis_dr_${id}` };
const after: Databases = { app: `${before.app}_r`, temporal: `${before.temporal}_r`, visibility: `${before.visibility}_r` };
const log = (line: string) => console.log(`${'dr-drill'.padEnd(17)}| ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const url = (database: string) => `${server}/${database}`;

function build(): string {
  if (args.includes('--build')) return path.resolve(option('--build', ''));
  const out = path.join(work, 'build');
  log('building this checkout (npm run build --no-web) …');
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-web', '--out', out], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed: see above');
  return out;
}

let sink: ReturnType<typeof logSink>;

async function start(name: 'before' | 'after', dist: string, databases: Databases): Promise<Cluster> {
  return startCluster({
    root,
    dataDir: clusterDir,
    dist,
    ports: await freeClusterPorts(),
    postgresUrl: server,
    databases,
    redisUrl,
    redisPrefix: `lpdr${id}${name[0]}`,
    namespace: 'default',
    historyShards: 8,
    vars: { JWT_SECRET: `dr-drill-secret-${id}-0123456789abcdef0123456789abcdef`, LOG_LEVEL: 'warn' },
    demoPassword: password,
    log: (line) => log(`[${name}] ${line}`),
    sink,
  });
}

async function inspect(cluster: Cluster, databases: Databases, catchUp: boolean) {
  const connection = await Connection.connect({ address: cluster.urls.temporal });
  const sequelize = createSequelize(url(databases.app), { poolMax: 2 });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const ids = await knownDeliveries(client, sequelize);
    const started = Date.now();
    const written = catchUp ? await catchUpReadModel({ client, sequelize, deliveryIds: ids, links: { uiUrl: cluster.urls.temporalUi, namespace: 'default' } }) : 0;
    const catchUpMs = Date.now() - started;
    return { ids, written, catchUpMs, ...(await compareWithWorkflows(client, sequelize, ids)) };
  } finally {
    await sequelize.close();
    await connection.close();
  }
}

/**
 * The restored `cluster_membership` still names the old cluster's hosts: until the new services have
 * taken over the ring, the frontend answers UNAVAILABLE ("Not enough hosts to serve the request").
 */
async function whenServing<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { code?: number }).code !== 14 || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function cleanUp(): Promise<void> {
  if (args.includes('--keep')) return log(`kept: databases ${Object.values(before).join(', ')}, ${Object.values(after).join(', ')} and ${work}`);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  for (const prefix of [`lpdr${id}b`, `lpdr${id}a`]) await removeScratchKeys(redis, prefix).catch(() => undefined);
  redis.disconnect();
  for (const name of [...Object.values(before), ...Object.values(after)]) await dropDatabase(url(name)).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

/**
 * The load reaches nginx over HTTPS with the drill's self-signed certificate, which Node trusts only when
 * named at start (NODE_EXTRA_CA_CERTS): the drill makes it, then runs again trusting it.
 */
async function trustingCertificate(): Promise<number | undefined> {
  const { cert } = await ensureCertificate(path.join(clusterDir, 'certs'), log);
  if (process.env.NODE_EXTRA_CA_CERTS === cert) return undefined;
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: cert, DR_DRILL_ID: id } });
  return again.status ?? 1;
}

async function main(): Promise<number> {
  const exited = await trustingCertificate();
  if (exited !== undefined) return exited;
  await mkdir(work, { recursive: true });
  sink = logSink({ file: path.join(work, 'cluster.log'), quiet: true });
  const dist = build();
  if (!isBuild(dist)) throw new Error(`${dist} is not an \`npm run build\` output folder`);
  let cluster: Cluster | undefined = await start('before', dist, before);
  try {
    const load = new DeployLoad(cluster.urls.app, password);
    await load.start();
    log(`deliveries running for ${seconds(loadMs)} …`);
    await new Promise((r) => setTimeout(r, loadMs));
    const dumps = await dumpAll(server, before, work);
    log(`backed up while deliveries were in flight in ${seconds(dumps.ms)}: read model ${(dumps.bytes.app / 1024).toFixed(0)} KiB, temporal ${(dumps.bytes.temporal / 1024).toFixed(0)} KiB, visibility ${(dumps.bytes.visibility / 1024).toFixed(0)} KiB`);
    const inFlight = await load.stop(0);
    await cluster.stop();
    cluster = undefined;
    log(`the disaster: the cluster is gone (${inFlight.ordered} deliveries ordered, ${inFlight.ordered - inFlight.delivered} not yet delivered)`);

    const recoveryStarted = Date.now();
    const restoreMs = await restoreAll(server, dumps.files, after);
    log(`restored into ${Object.values(after).join(', ')} in ${seconds(restoreMs)}`);
    const startedAt = Date.now();
    cluster = await start('after', dist, after);
    const startMs = Date.now() - startedAt;
    log(`cluster up on the restored databases in ${seconds(startMs)}`);
    const restored = await whenServing(() => inspect(cluster!, after, true));
    const recoveryMs = Date.now() - recoveryStarted;
    log(`read model caught up from the histories: ${restored.written} transitions in ${seconds(restored.catchUpMs)}`);
    log(`recovered in ${seconds(recoveryMs)} (restore, start, catch-up): ${restored.checked} deliveries, ${restored.open} open, ${restored.mismatches.length} differ from their workflow`);

    const finish = new DeployLoad(cluster.urls.app, password, { order: false });
    await finish.start();
    finish.adopt(inFlight.notDelivered.map((d) => d.id));
    const finished = await finish.stop(Number(option('--settle', '240')) * 1000);
    const final = await inspect(cluster, after, false);
    log(`after the drivers went on: ${finished.delivered}/${finished.ordered} open deliveries delivered, ${finished.failed} requests failed; ${final.mismatches.length} of ${final.checked} differ from their workflow`);
    for (const m of [...restored.mismatches, ...final.mismatches].slice(0, 10)) log(`  differs: ${m.id} read model ${JSON.stringify(m.readModel)} workflow ${JSON.stringify(m.workflow)}`);
    const ok = restored.mismatches.length === 0 && final.mismatches.length === 0 && finished.notDelivered.length === 0;
    const result = {
      ok,
      backupMs: dumps.ms,
      dumpBytes: dumps.bytes,
      restoreMs,
      startMs,
      catchUpMs: restored.catchUpMs,
      recoveryMs,
      deliveries: restored.checked,
      openAtBackup: inFlight.ordered - inFlight.delivered,
      caughtUp: restored.written,
      mismatchesAfterRestore: restored.mismatches.length,
      openDelivered: `${finished.delivered}/${finished.ordered}`,
      mismatchesAtEnd: final.mismatches.length,
    };
    console.log(`dr-result ${JSON.stringify(result)}`);
    return ok ? 0 : 1;
  } finally {
    await cluster?.stop();
    sink.close();
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dr-drill failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
