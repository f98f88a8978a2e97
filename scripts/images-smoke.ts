/**
 * `npm run images:smoke`: the image `npm run images` built, run as containers (podman, --network=host)
 * against a Temporal dev server of its own, a scratch Postgres database and a Redis prefix of its own:
 * migrate, then api, worker and queues; one delivery from quote to DELIVERED through the HTTP contract,
 * with the worker and the api stopped by SIGTERM and replaced mid-delivery. Checks the containers run as
 * a non-root user and pass the health checks docker-compose.yml gives them, and prints each container's
 * resident memory at idle. Exits non-zero on the first thing that does not hold.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from './lib/ports.js';
import { waitFor } from './lib/poll.js';
import { removeScratchKeys } from './lib/redis-keys.js';
import { startScratchTemporal } from './lib/temporal-dev.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = `localhost/logistics-platform:${version}`;
const run = promisify(execFile);
const tag = `lp-smoke-${process.pid}`;
const database = `logistics_images_${process.pid}`;
const redisPrefix = `lpimg${process.pid}:`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
  console.log(`  ✓ ${message}`);
}

async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { maxBuffer: 32 * 1024 * 1024 });
  return stdout.trim();
}

interface DeliveryView {
  id: string;
  status: string;
  trackingCode: string;
  quote?: { amountCents: number; currency: string };
  offer?: { driverId: string } | null;
  timeline?: Array<{ type: string }>;
  items?: Array<{ position?: unknown }>;
}

async function call(base: string, method: string, route: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: DeliveryView }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as DeliveryView };
}

/** Resident memory of every process in a container (tini and node), read from the host's /proc. */
async function residentMiB(container: string): Promise<number> {
  const pids = [await podman('inspect', '--format', '{{.State.Pid}}', container)];
  for (let i = 0; i < pids.length; i++) {
    const children = spawnSync('sh', ['-c', `cat /proc/${pids[i]}/task/*/children 2>/dev/null`], { encoding: 'utf8' }).stdout;
    pids.push(...children.split(/\s+/).filter(Boolean));
  }
  let kib = 0;
  for (const pid of pids) kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kib / 1024;
}

interface Role {
  name: 'api' | 'worker' | 'queues';
  health: string;
}

async function main(): Promise<void> {
  if (spawnSync('podman', ['image', 'exists', IMAGE]).status !== 0) throw new Error(`${IMAGE} is missing: run npm run images first`);
  const size = Number(await podman('image', 'inspect', IMAGE, '--format', '{{.Size}}'));
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
    const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    cleanups.push(async () => {
      const names = (await podman('ps', '-a', '--filter', `name=${tag}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
      if (names.length) await podman('rm', '-f', ...names);
    });

    console.log('▶ migrate (container)');
    const migrate = await run('podman', ['run', '--rm', '--network=host', '--name', `${tag}-migrate`, ...envArgs, IMAGE, 'migrate']);
    check(/migrations applied/.test(migrate.stdout + migrate.stderr), 'the migrate role applied the schema and exited 0');

    console.log('▶ a dispatcher account, made by the image (dist/scripts/create-user.js)');
    const password = `pw-${randomUUID()}`;
    const created = spawnSync('podman', ['run', '--rm', '-i', '--network=host', ...envArgs, '--entrypoint', 'node', IMAGE,
      'dist/scripts/create-user.js', '--email', 'ops@example.com', '--name', 'Ops Dispatcher', '--role', 'dispatcher'], { input: password, encoding: 'utf8' });
    check(created.status === 0, 'user:create inside the image made the dispatcher');

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
      await waitFor(`${name} healthy`, async () => spawnSync('podman', ['healthcheck', 'run', name]).status === 0, { timeoutMs: 120_000 });
      return name;
    };
    const stop = async (name: string) => {
      const since = Date.now();
      await podman('stop', '--time', '60', name);
      const exitCode = await podman('inspect', '--format', '{{.State.ExitCode}}', name);
      return { exitCode, seconds: (Date.now() - since) / 1000, logs: (await run('podman', ['logs', name])).stdout + (await run('podman', ['logs', name])).stderr };
    };

    console.log('▶ api, worker and queues (containers, --network=host)');
    const started = Date.now();
    const names = Object.fromEntries(await Promise.all(roles.map(async (role) => [role.name, await start(role)] as const))) as Record<Role['name'], string>;
    check(true, `all three healthy (podman healthcheck run) ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
    for (const name of Object.values(names)) {
      const uid = await podman('exec', name, 'id', '-u');
      const user = await podman('exec', name, 'id', '-un');
      check(uid === '1000' && user === 'node', `${name} runs as ${user} (uid ${uid}), not root`);
    }

    await sleep(15_000);
    const idle: Record<string, number> = {};
    for (const [role, name] of Object.entries(names)) idle[role] = await residentMiB(name);
    console.log(`  idle RSS (MiB): ${Object.entries(idle).map(([role, mib]) => `${role} ${mib.toFixed(0)}`).join(', ')}`);

    console.log('▶ one delivery, quote to DELIVERED, through the contract');
    const login = async (email: string, pw: string) =>
      (await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: pw } })).body as unknown as { accessToken: string; user: { driverId?: string } };
    const dispatcher = await login('ops@example.com', password);
    const customerPw = `pw-${randomUUID()}`;
    check((await call(base, 'POST', '/api/v1/auth/register', { body: { email: 'pat@example.com', password: customerPw, name: 'Pat Customer' } })).status === 201, 'a customer registered');
    const customer = await login('pat@example.com', customerPw);
    const driverPw = `pw-${randomUUID()}`;
    check((await call(base, 'POST', '/api/v1/drivers', { token: dispatcher.accessToken, body: { name: 'Rosa Driver', email: 'rosa@example.com', password: driverPw, vehicle: { type: 'van', capacityKg: 500 } } })).status === 201, 'the dispatcher created a driver');
    const driver = await login('rosa@example.com', driverPw);
    const area = { lat: 52.52, lng: 13.405 };
    await call(base, 'PUT', '/api/v1/drivers/me/duty', { token: driver.accessToken, body: { onDuty: true } });
    await call(base, 'POST', '/api/v1/drivers/me/location', { token: driver.accessToken, body: { ...area, recordedAt: new Date().toISOString() } });
    await waitFor('the driver position saved', async () => (await call(base, 'GET', '/api/v1/drivers', { token: dispatcher.accessToken })).body.items?.some((d) => d.position));

    const quoted = Date.now();
    const delivery = await call(base, 'POST', '/api/v1/deliveries', {
      token: customer.accessToken,
      body: {
        pickup: { address: 'Bakery, 5th Avenue 1', lat: area.lat + 0.001, lng: area.lng + 0.001 },
        dropoff: { address: 'Elm St 14', lat: area.lat + 0.02, lng: area.lng + 0.02, contactName: 'Maria Lopez' },
        parcel: { weightKg: 12 },
        priority: 'standard',
      },
    });
    check(delivery.status === 201 && delivery.body.status === 'QUOTED', `quoted: ${delivery.body.quote?.amountCents} ${delivery.body.quote?.currency}`);
    const id: string = delivery.body.id;
    const milestone = async (type: string, extra: Record<string, unknown> = {}) => (await call(base, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.accessToken, body: { type, ...extra } })).body.status as string;
    check((await call(base, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.accessToken })).body.status === 'DISPATCHING', 'the customer accepted the quote');
    await waitFor('the offer to the driver', async () => (await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.accessToken })).body.offer?.driverId === driver.user.driverId);
    check((await milestone('accept_offer')) === 'ASSIGNED', 'the driver accepted the offer: ASSIGNED');

    const worker = await stop(names.worker);
    check(worker.exitCode === '0' && worker.logs.includes('worker stopped'), `SIGTERM: the worker drained and exited 0 in ${worker.seconds.toFixed(1)} s`);
    names.worker = await start(roles[1]!);
    check((await milestone('arrived_pickup')) === 'AT_PICKUP', 'a new worker container carried on: AT_PICKUP');

    const api = await stop(names.api);
    check(api.exitCode === '0', `SIGTERM: the api exited 0 in ${api.seconds.toFixed(1)} s`);
    names.api = await start(roles[0]!);
    check((await milestone('picked_up', { proof: { recipientName: 'Pat Baker' } })) === 'IN_TRANSIT', 'a new api container took the next milestone: IN_TRANSIT');
    check((await milestone('arrived_dropoff')) === 'AT_DROPOFF', 'AT_DROPOFF');
    check((await milestone('delivered', { proof: { recipientName: 'Maria Lopez' } })) === 'DELIVERED', 'DELIVERED');
    const final = await waitFor('the read model at DELIVERED', async () => {
      const res = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: customer.accessToken });
      return res.body.timeline?.some((e) => e.type === 'delivered') ? res.body : null;
    });
    check(final.status === 'DELIVERED', `timeline: ${final.timeline!.map((e) => e.type).join(' → ')} (${((Date.now() - quoted) / 1000).toFixed(1)} s)`);
    const tracked = await call(base, 'GET', `/api/v1/track/${final.trackingCode}`);
    check(tracked.body.status === 'DELIVERED', 'the public tracking page says DELIVERED');

    for (const role of ['queues', 'worker', 'api'] as const) {
      const stopped = await stop(names[role]);
      check(stopped.exitCode === '0', `SIGTERM: ${role} exited 0 in ${stopped.seconds.toFixed(1)} s`);
    }
    console.log(`\nimage ${(size / 1e6).toFixed(0)} MB; idle RSS MiB: api ${idle.api!.toFixed(0)}, worker ${idle.worker!.toFixed(0)}, queues ${idle.queues!.toFixed(0)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  }
}

main().then(
  () => console.log('images:smoke passed'),
  (error: Error) => {
    console.error(`\n✗ ${error.message}`);
    process.exit(1);
  },
);
