/**
 * B4: location pings from drivers (autocannon, one ping per POST), counted as accepted (202) and as
 * broadcast (arrivals on a dispatcher's socket); meanwhile a probe driver times single pings from POST
 * to socket. Baseline: a minimal Koa handler broadcasting through the same Redis emitter and adapter to
 * sockets in its own process, as the API does, without authentication, validation or storage.
 */
import path from 'node:path';
import type { Client } from 'autocannon';
import { ROUNDS } from './b1-lifecycle.js';
import type { Figure } from './lib/context.js';
import { DEMO_PASSWORD } from './lib/env.js';
import { login, type Session } from './lib/http.js';
import { combine, load, type LoadResult } from './lib/load.js';
import { freePort } from '../scripts/lib/ports.js';
import { backendsCpuSeconds, startService, waitUntil } from './lib/processes.js';
import { postgresBackends } from './lib/env.js';
import { connectSocket, settle } from './lib/sockets.js';
import { summarize, type Summary } from './lib/stats.js';

interface Side {
  /** Postgres CPU charged to this side's rounds, in seconds (the API writes pings in batches; the baseline none). */
  postgresSeconds: number;
  url: string;
  /** The server process, whose CPU time is charged to the pings. */
  pid: number;
  /** Where the dispatcher's socket connects: each side fans out to its own sockets. */
  socketUrl: string;
  socketAuth: Record<string, unknown>;
  /** The baseline takes the driver from a header instead of a token. */
  baseline: boolean;
  loads: LoadResult[];
  broadcasts: number;
  seconds: number;
  probe: number[];
}

interface Outcome {
  load: LoadResult;
  broadcastPerSecond: number;
  probe: Summary;
}

const ping = (at: string) => JSON.stringify({ lat: 52.52, lng: 13.405, heading: 90, recordedAt: at });

function headers(side: Side, s: Session): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${s.token}`, ...(side.baseline ? { 'x-driver-id': s.user.driverId! } : {}) };
}

/** One round against `side`: the load, the dispatcher's count and the probe's latencies. */
async function round(side: Side, drivers: Session[], probe: Session, seconds: number, connections: number, record: boolean): Promise<void> {
  const socket = await connectSocket(side.socketUrl, side.socketAuth);
  await settle();
  let broadcasts = 0;
  const arrivals = new Map<string, number>();
  socket.on('driver:location', (location) => {
    broadcasts += 1;
    if (location.driverId === probe.user.driverId) arrivals.set(location.at, performance.now());
  });
  const sent = new Map<string, number>();
  let probing = true;
  const probeLoop = (async () => {
    const base = Date.now() - 120_000;
    for (let i = 0; probing; i += 1) {
      const at = new Date(base + i).toISOString();
      sent.set(at, performance.now());
      const res = await fetch(`${side.url}/api/v1/drivers/me/location`, { method: 'POST', headers: headers(side, probe), body: ping(at) });
      await res.arrayBuffer();
      await settle(20);
    }
  })();
  let next = 0;
  const started = performance.now();
  const result = await load({
    url: `${side.url}/api/v1/drivers/me/location`,
    pid: side.pid,
    method: 'POST',
    seconds,
    connections,
    body: ping(new Date(Date.now() - 60_000).toISOString()),
    setupClient: (client: Client) => client.setHeaders(headers(side, drivers[next++ % drivers.length]!)),
  });
  const elapsed = (performance.now() - started) / 1000;
  const counted = broadcasts;
  probing = false;
  await probeLoop;
  await settle(500);
  socket.disconnect();
  if (!record) return;
  side.loads.push(result);
  side.broadcasts += counted;
  side.seconds += elapsed;
  for (const [at, t] of sent) if (arrivals.has(at)) side.probe.push(arrivals.get(at)! - t);
}

const outcome = (side: Side): Outcome => ({ load: combine(side.loads), broadcastPerSecond: side.broadcasts / side.seconds, probe: summarize(side.probe) });

export const locationFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const dispatcher = await login(stack.apiUrl, 'dispatcher@example.com', DEMO_PASSWORD);
  // The demo drivers send the load; the fifth times single pings.
  const drivers = await Promise.all([1, 2, 3, 4, 5].map((n) => login(stack.apiUrl, `driver${n}@example.com`, DEMO_PASSWORD)));
  const probe = drivers.pop()!;
  const port = await freePort();
  // With `--profile api`, the baseline is profiled beside the API, so the two can be compared.
  const nodeArgs = ctx.profile.includes('api') ? ['--cpu-prof', '--cpu-prof-dir', path.join(ctx.profileDir, `location-baseline-${Date.now()}`)] : [];
  const server = startService('location baseline', 'bench/baselines/location-server.ts', { env: {}, args: [String(port), `${stack.env.REDIS_PREFIX}plain`], nodeArgs });
  const side = (url: string, pid: number, socketAuth: Record<string, unknown>, baseline: boolean): Side => ({ url, pid, socketUrl: url, socketAuth, baseline, loads: [], broadcasts: 0, seconds: 0, probe: [], postgresSeconds: 0 });
  const api = side(stack.apiUrl, stack.api.pid, { token: dispatcher.token }, false);
  const plain = side(`http://127.0.0.1:${port}`, server.pid, {}, true);
  try {
    await waitUntil(server, 'health', async () => (await fetch(`${plain.url}/health`)).status === 200);
    log(`B4: location pings for ${sizes.seconds} s at ${sizes.connections} connections, API and baseline taking turns`);
    for (const s of [api, plain]) await round(s, drivers, probe, 1, sizes.connections, false);
    for (let i = 0; i < ROUNDS; i += 1) {
      for (const s of [api, plain]) {
        // The backends serving this run's database (the API's pool), read around each round: Postgres shares the machine.
        const pids = await postgresBackends(ctx.db.name);
        const before = await backendsCpuSeconds(pids);
        await round(s, drivers, probe, sizes.seconds / ROUNDS, sizes.connections, true);
        s.postgresSeconds += (await backendsCpuSeconds(pids)) - before;
      }
    }
  } finally {
    await server.stop();
  }
  const subject = outcome(api);
  const baseline = outcome(plain);
  const describe = (r: Outcome) =>
    `${Math.round(r.load.perSecond)} accepted/s, ${Math.round(r.broadcastPerSecond)} broadcast/s, POST→socket p99 ${r.probe.p99.toFixed(1)} ms, ${Math.round(r.load.cpuMicros ?? NaN)} µs CPU/ping`;
  if (subject.load.failed) log(`B4: failed requests ${JSON.stringify(subject.load.statusCodes)}`);
  const perPing = (x: Side) => ((x.postgresSeconds * 1e6) / Math.max(1, x.loads.reduce((a, r) => a + r.ok, 0))).toFixed(0);
  log(`B4: Postgres CPU per ping (this run's database): API ${perPing(api)} µs, baseline ${perPing(plain)} µs`);
  const ratio = subject.load.perSecond / baseline.load.perSecond;
  return [
    {
      id: 'B4',
      name: 'location ingestion',
      value: describe(subject),
      baseline: `${describe(baseline)} (Koa + emitter + Socket.IO)`,
      ratio,
      target: '≥ 5,000 pings/s',
      met: subject.load.failed === 0 && Math.min(subject.load.perSecond, subject.broadcastPerSecond) >= 5000,
      details: { subject, baseline },
    },
  ];
};
