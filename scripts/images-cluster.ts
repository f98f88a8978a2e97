/**
 * `npm run images:smoke -- --cluster`: the image's roles as the platform's processes of the production
 * topology (`npm run start:cluster`, scripts/lib/cluster), on free ports, with scratch databases and a
 * Redis prefix of its own. The Temporal cluster on Postgres (four services), nginx over HTTPS,
 * Prometheus, Alertmanager and the Web UI run natively, as there; migrate, 2 × api, 2 × worker and
 * 2 × queues run as containers of the image, with compose's commands, environment and health checks.
 * One delivery goes from quote to DELIVERED through nginx, with worker-1 and then api-1 stopped by
 * SIGTERM midway; the rest are stopped by the cluster's own shutdown, and every container must exit 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { contract, driveDelivery } from './images-delivery.js';
import { check, checkUnprivileged, createDispatcher, ended, healthy, IMAGE, imageSize, residentMiB, root, sleep } from './images-support.js';
import { startCluster, type Cluster } from './lib/cluster/cluster.js';
import { containerLauncher } from './lib/cluster/containers.js';
import { ensureCertificate } from './lib/cluster/edge.js';
import { freeClusterPorts } from './lib/cluster/free-ports.js';
import { removeScratchStores, scratchStores } from './lib/cluster/scratch.js';
import { logSink } from './lib/cluster/supervisor.js';

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function againstCluster(): Promise<void> {
  const size = await imageSize();
  console.log(`▶ ${IMAGE}: ${(size / 1e6).toFixed(0)} MB`);
  const id = String(process.pid);
  const dataDir = path.join(root, '.data', `images-cluster-${id}`);
  const stores = scratchStores('imgc', id, { databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL });
  const log = (line: string) => console.log(`  [cluster] ${line}`);
  await mkdir(dataDir, { recursive: true });
  const sink = logSink({ file: path.join(dataDir, 'cluster.log'), quiet: !process.env.CLUSTER_LOGS });
  const launcher = await containerLauncher({ image: IMAGE, prefix: `lp-imgc-${id}`, sink });
  let cluster: Cluster | undefined;
  let passed = false;
  let cleaned: Promise<void> | undefined;
  const report = (error: Error) => console.error(`cleanup: ${error.message}`);
  // Containers outlive this process (podman runs them, not its client): stop and remove them on every way out.
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await cluster?.stop().catch(report);
      sink.close();
      await launcher.removeAll().catch(report);
      await removeScratchStores(stores, report);
      if (passed) await rm(dataDir, { recursive: true, force: true });
      else if (existsSync(dataDir)) console.error(`every process's log: ${path.relative(root, path.join(dataDir, 'cluster.log'))}`);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the cluster and removing its containers…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    const ports = await freeClusterPorts();
    // Made before the cluster so this client trusts that certificate and nothing else.
    const cert = await ensureCertificate(path.join(dataDir, 'certs'), log);
    console.log(`▶ the production topology on free ports (nginx :${ports.https}, Temporal frontend :${ports.temporal.frontend}), its app processes as containers`);
    const since = Date.now();
    cluster = await startCluster({
      root,
      dataDir,
      // The image's build: the container launcher runs the image's entrypoint with compose's command.
      dist: '/app/dist',
      ports,
      ...stores,
      namespace: 'default',
      historyShards: 8,
      vars: { JWT_SECRET: randomBytes(48).toString('base64'), LOG_LEVEL: 'info' },
      log,
      sink,
      launcher,
    });
    check(true, `migrate ran as a container; cluster ready through nginx in ${seconds(since)}`);

    const replicas = [...launcher.started.keys()];
    for (const name of replicas) {
      await healthy(launcher.container(name));
      await checkUnprivileged(launcher.container(name));
    }
    check(replicas.length === 6, `${replicas.join(', ')}: each healthy by compose's health check on its own port`);

    await sleep(15_000);
    const idle: Record<string, number> = {};
    for (const name of replicas) idle[name] = await residentMiB(launcher.container(name));
    const idleLine = replicas.map((name) => `${name} ${idle[name]!.toFixed(0)}`).join(', ');
    console.log(`  idle RSS (MiB): ${idleLine}`);

    console.log('▶ a dispatcher account, made by the image (dist/scripts/create-user.js)');
    const dispatcher = { email: 'ops@example.com', password: `pw-${randomUUID()}` };
    createDispatcher(launcher.started.get('api-1')!.env, dispatcher);

    const stopReplica = async (name: string) => {
      const at = Date.now();
      await cluster!.processes.find((p) => p.name === name)!.stop();
      return { ...(await ended(launcher.container(name))), took: seconds(at) };
    };
    console.log(`▶ one delivery, quote to DELIVERED, through nginx (${cluster.urls.app})`);
    const { seconds: deliveryTook } = await driveDelivery(contract(cluster.urls.app, readFileSync(cert.cert)), dispatcher, {
      assigned: async () => {
        const worker = await stopReplica('worker-1');
        check(worker.exitCode === '0' && worker.logs.includes('worker stopped'), `SIGTERM: worker-1 drained and exited 0 in ${worker.took}; worker-2 carries on`);
      },
      atPickup: async () => {
        const api = await stopReplica('api-1');
        check(api.exitCode === '0', `SIGTERM: api-1 exited 0 in ${api.took}; nginx sends the rest to api-2`);
      },
    });

    const connection = await Connection.connect({ address: cluster.urls.temporal });
    try {
      const info = await connection.workflowService.getClusterInfo({});
      check(info.persistenceStore === 'postgres12' && info.historyShardCount === 8, `its workflow ran on the Temporal cluster (${info.persistenceStore}, ${info.historyShardCount} history shards, server ${info.serverVersion})`);
    } finally {
      await connection.close();
    }

    console.log('▶ the cluster shuts down: SIGTERM to every container still running');
    const stopping = Date.now();
    await cluster.stop();
    cluster = undefined;
    for (const name of replicas.filter((n) => n !== 'worker-1' && n !== 'api-1')) {
      check((await ended(launcher.container(name))).exitCode === '0', `${name} exited 0`);
    }
    check(true, `stopped in ${seconds(stopping)}`);
    console.log(`\nimage ${(size / 1e6).toFixed(0)} MB; idle RSS MiB in the cluster: ${idleLine}; quote to DELIVERED ${deliveryTook.toFixed(1)} s`);
    passed = true;
  } finally {
    await cleanUp();
  }
}
