/**
 * `npm run images:smoke`: the image `npm run images` built, run as containers (podman, --network=host).
 * By default against a Temporal dev server of its own, a scratch Postgres database and a Redis prefix of
 * its own: migrate, then api, worker and queues; one delivery from quote to DELIVERED through the HTTP
 * contract, with the worker and the api stopped by SIGTERM and replaced mid-delivery.
 * `--cluster`: the same roles as the app processes of the production topology (`npm run start:cluster`,
 * scripts/images-cluster.ts), behind its nginx, on its Temporal cluster.
 * Either way it checks the containers run as a non-root user and pass the health checks
 * docker-compose.yml gives them, and prints each container's resident memory at idle. Exits non-zero on
 * the first thing that does not hold.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { contract, driveDelivery } from './images-delivery.js';
import { check, checkUnprivileged, createDispatcher, ended, healthy, IMAGE, imageSize, podman, residentMiB, sleep } from './images-support.js';
import { environmentArgs } from './lib/cluster/containers.js';
import { freePort } from './lib/ports.js';
import { removeScratchKeys } from './lib/redis-keys.js';
import { startScratchTemporal } from './lib/temporal-dev.js';

const run = promisify(execFile);
const tag = `lp-smoke-${process.pid}`;
const database = `logistics_images_${process.pid}`;
const redisPrefix = `lpimg${process.pid}:`;

interface Role {
  name: 'api' | 'worker' | 'queues';
  health: string;
}

async function againstDevServer(): Promise<void> {
  const size = await imageSize();
  console.log(`▶ ${IMAGE}: ${(size / 1e6).toFixed(0)} MB`);

  const [apiPort, workerPort, queuesPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const base = `http://127.0.0.1:${apiPort}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    console.log('▶ dependencies: Temporal dev server, scratch database, Redis prefix');
    const dev = await startScratchTemporal();
    cleanups.push(() => dev.stop());
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    });
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    cleanups.push(async () => {
      await removeScratchKeys(redis, redisPrefix).catch(() => 0);
      redis.disconnect();
    });
    console.log(`  Temporal ${dev.address}, postgres://127.0.0.1:5432/${database}, redis prefix ${redisPrefix}`);

    const env = {
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: redisPrefix,
      TEMPORAL_ADDRESS: dev.address,
      JWT_SECRET: randomBytes(48).toString('base64'),
      PORT: String(apiPort),
      PUBLIC_URL: base,
      WORKER_METRICS_PORT: String(workerPort),
      QUEUE_METRICS_PORT: String(queuesPort),
      LOG_LEVEL: 'info',
    };
    const envArgs = environmentArgs(env);
    cleanups.push(async () => {
      const names = (await podman('ps', '-a', '--filter', `name=${tag}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
      if (names.length) await podman('rm', '-f', ...names);
    });

    console.log('▶ migrate (container)');
    const migrate = await run('podman', ['run', '--rm', '--network=host', '--name', `${tag}-migrate`, ...envArgs, IMAGE, 'migrate']);
    check(/migrations applied/.test(migrate.stdout + migrate.stderr), 'the migrate role applied the schema and exited 0');

    console.log('▶ a dispatcher account, made by the image (dist/scripts/create-user.js)');
    const dispatcher = { email: 'ops@example.com', password: `pw-${randomUUID()}` };
    createDispatcher(env, dispatcher);

    // The health checks docker-compose.yml gives these roles (the Dockerfile has none of its own).
    const roles: Role[] = [
      { name: 'api', health: `http://127.0.0.1:${apiPort}/ready` },
      { name: 'worker', health: `http://127.0.0.1:${workerPort}/health` },
      { name: 'queues', health: `http://127.0.0.1:${queuesPort}/health` },
    ];
    let generation = 0;
    const start = async (role: Role) => {
      const name = `${tag}-${role.name}-${++generation}`;
      await podman('run', '-d', '--network=host', '--name', name, ...envArgs, '--health-cmd', JSON.stringify(['node', 'dist/scripts/healthcheck.js', role.health]),
        '--health-interval', 'disable', IMAGE, role.name);
      await healthy(name);
      return name;
    };
    const stop = async (name: string) => {
      const since = Date.now();
      await podman('stop', '--time', '60', name);
      return { ...(await ended(name)), seconds: (Date.now() - since) / 1000 };
    };

    console.log('▶ api, worker and queues (containers, --network=host)');
    const started = Date.now();
    const names = Object.fromEntries(await Promise.all(roles.map(async (role) => [role.name, await start(role)] as const))) as Record<Role['name'], string>;
    check(true, `all three healthy (podman healthcheck run) ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    for (const name of Object.values(names)) await checkUnprivileged(name);

    await sleep(15_000);
    const idle: Record<string, number> = {};
    for (const [role, name] of Object.entries(names)) idle[role] = await residentMiB(name);
    console.log(`  idle RSS (MiB): ${Object.entries(idle).map(([role, mib]) => `${role} ${mib.toFixed(0)}`).join(', ')}`);

    console.log('▶ one delivery, quote to DELIVERED, through the contract');
    await driveDelivery(contract(base), dispatcher, {
      assigned: async () => {
        const worker = await stop(names.worker);
        check(worker.exitCode === '0' && worker.logs.includes('worker stopped'), `SIGTERM: the worker drained and exited 0 in ${worker.seconds.toFixed(1)} s`);
        names.worker = await start(roles[1]!);
        console.log('  a new worker container carries on');
      },
      atPickup: async () => {
        const api = await stop(names.api);
        check(api.exitCode === '0', `SIGTERM: the api exited 0 in ${api.seconds.toFixed(1)} s`);
        names.api = await start(roles[0]!);
        console.log('  a new api container takes the next milestones');
      },
    });

    for (const role of ['queues', 'worker', 'api'] as const) {
      const stopped = await stop(names[role]);
      check(stopped.exitCode === '0', `SIGTERM: ${role} exited 0 in ${stopped.seconds.toFixed(1)} s`);
    }
    console.log(`\nimage ${(size / 1e6).toFixed(0)} MB; idle RSS MiB: api ${idle.api!.toFixed(0)}, worker ${idle.worker!.toFixed(0)}, queues ${idle.queues!.toFixed(0)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
}

const cluster = process.argv.includes('--cluster');
(cluster ? import('./images-cluster.js').then((m) => m.againstCluster()) : againstDevServer()).then(
  () => {
    console.log(`images:smoke${cluster ? ' --cluster' : ''} passed`);
    // The cluster's supervisor and clients may hold handles a moment longer; the verdict is in.
    process.exit(0);
  },
  (error: Error) => {
    console.error(`\n✗ ${error.message}`);
    process.exit(1);
  },
);
