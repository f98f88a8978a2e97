/**
 * B4: location pings from drivers (autocannon, one ping per POST), counted as accepted (202) and as
 * broadcast (arrivals on a dispatcher's socket); meanwhile a probe driver times single pings from POST
 * to socket. Baseline: a minimal Koa handler broadcasting through the same Redis emitter, no auth or storage.
 */
import type { Figure } from './lib/context.js';
import { DEMO_PASSWORD } from './lib/env.js';
import { login, type Session } from './lib/http.js';
import { load, type LoadResult } from './lib/load.js';
import { freePort } from './lib/ports.js';
import { startService, waitUntil } from './lib/processes.js';
import { connectSocket, settle } from './lib/sockets.js';
import { summarize, type Summary } from './lib/stats.js';

interface Run {
  load: LoadResult;
  broadcastPerSecond: number;
  probe: Summary;
}

const ping = (at: string) => JSON.stringify({ lat: 52.52, lng: 13.405, heading: 90, recordedAt: at });

/** One measured run against `url`: the load, the dispatcher's count and the probe's latencies. */
async function measure(url: string, socketUrl: string, dispatcher: Session, load: Session[], probe: Session, seconds: number, connections: number, baseline: boolean): Promise<Run> {
  const socket = await connectSocket(socketUrl, { token: dispatcher.token });
  await settle();
  let broadcasts = 0;
  const arrivals = new Map<string, number>();
  socket.on('driver:location', (location) => {
    broadcasts += 1;
    if (location.driverId === probe.user.driverId) arrivals.set(location.at, performance.now());
  });
  const headers = (s: Session) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${s.token}`,
    ...(baseline ? { 'x-driver-id': s.user.driverId! } : {}),
  });
  const recordedAt = new Date(Date.now() - 60_000).toISOString();
  let next = 0;
  let probing = true;
  const sent = new Map<string, number>();
  const probeLoop = (async () => {
    const base = Date.now() - 120_000;
    for (let i = 0; probing; i += 1) {
      const at = new Date(base + i).toISOString();
      sent.set(at, performance.now());
      const res = await fetch(`${url}/api/v1/drivers/me/location`, { method: 'POST', headers: headers(probe), body: ping(at) });
      await res.arrayBuffer();
      await settle(20);
    }
  })();
  const started = performance.now();
  const result = await loadRun(url, seconds, connections, (client) => {
    const s = load[next++ % load.length]!;
    client.setHeaders(headers(s));
  }, recordedAt);
  const elapsed = (performance.now() - started) / 1000;
  const counted = broadcasts;
  probing = false;
  await probeLoop;
  await settle(500);
  socket.disconnect();
  const latencies = [...sent].flatMap(([at, t]) => (arrivals.has(at) ? [arrivals.get(at)! - t] : []));
  return { load: result, broadcastPerSecond: counted / elapsed, probe: summarize(latencies) };
}

function loadRun(url: string, seconds: number, connections: number, setupClient: Parameters<typeof load>[0]['setupClient'], at: string) {
  return load({ url: `${url}/api/v1/drivers/me/location`, method: 'POST', seconds, connections, body: ping(at), setupClient });
}

export const locationFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const dispatcher = await login(stack.apiUrl, 'dispatcher@example.com', DEMO_PASSWORD);
  // The demo drivers send the load; the fifth times single pings.
  const drivers = await Promise.all([1, 2, 3, 4, 5].map((n) => login(stack.apiUrl, `driver${n}@example.com`, DEMO_PASSWORD)));
  const probe = drivers.pop()!;

  log(`B4: location pings for ${sizes.seconds} s at ${sizes.connections} connections`);
  await loadRun(stack.apiUrl, 1, sizes.connections, undefined, new Date().toISOString()).catch(() => undefined);
  const subject = await measure(stack.apiUrl, stack.apiUrl, dispatcher, drivers, probe, sizes.seconds, sizes.connections, false);

  const port = await freePort();
  const server = startService('location baseline', 'bench/baselines/location-server.ts', { env: {}, args: [String(port), stack.env.REDIS_PREFIX!] });
  let baseline: Run;
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(server, 'health', async () => (await fetch(`${url}/health`)).status === 200);
    baseline = await measure(url, stack.apiUrl, dispatcher, drivers, probe, 1, sizes.connections, true);
    baseline = await measure(url, stack.apiUrl, dispatcher, drivers, probe, sizes.seconds, sizes.connections, true);
  } finally {
    await server.stop();
  }
  const describe = (r: Run) =>
    `${Math.round(r.load.perSecond)} accepted/s, ${Math.round(r.broadcastPerSecond)} broadcast/s, POST→socket p99 ${r.probe.p99.toFixed(1)} ms`;
  if (subject.load.failed) log(`B4: failed requests ${JSON.stringify(subject.load.statusCodes)}`);
  const ratio = subject.load.perSecond / baseline.load.perSecond;
  return [
    {
      id: 'B4',
      name: 'location ingestion',
      value: describe(subject),
      baseline: `${describe(baseline)} (Koa + emitter)`,
      ratio,
      target: '≥ 5,000 pings/s',
      met: subject.load.failed === 0 && Math.min(subject.load.perSecond, subject.broadcastPerSecond) >= 5000,
      details: { subject, baseline },
    },
  ];
};
