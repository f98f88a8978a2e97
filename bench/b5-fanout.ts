/**
 * B5: one broadcast reaching many dispatcher sockets. A driver's location POST goes to the `dispatch` room;
 * each client's arrival time minus the POST's start is one sample. Baseline: plain Socket.IO, one room,
 * the same clients and the same trigger (an HTTP POST that emits).
 */
import type { Figure } from './lib/context.js';
import { DEMO_PASSWORD } from './lib/env.js';
import { login } from './lib/http.js';
import { freePort } from './lib/ports.js';
import { startService, waitUntil } from './lib/processes.js';
import { connectMany, connectSocket, settle, type ClientSocket } from './lib/sockets.js';
import { summarize, type Summary } from './lib/stats.js';

interface FanOut {
  latency: Summary;
  /** Deliveries that never arrived (clients × broadcasts − samples). */
  missing: number;
  connectSeconds: number;
}

async function fanOut(clients: ClientSocket[], broadcasts: number, send: (at: string) => Promise<void>): Promise<FanOut> {
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  for (const socket of clients) {
    socket.on('driver:location', (location) => {
      const sent = sentAt.get(location.at);
      if (sent !== undefined) samples.push(performance.now() - sent);
    });
  }
  const base = Date.now() - 60_000;
  // The first broadcasts warm up both ends and are not counted.
  for (let i = -3; i < broadcasts; i += 1) {
    const at = new Date(base + i + 3).toISOString();
    if (i >= 0) sentAt.set(at, performance.now());
    await send(at);
    await settle(150);
  }
  await settle(1000);
  for (const socket of clients) socket.disconnect();
  return { latency: summarize(samples), missing: clients.length * broadcasts - samples.length, connectSeconds: 0 };
}

async function connectTimed(count: number, open: () => Promise<ClientSocket>): Promise<{ clients: ClientSocket[]; seconds: number }> {
  const started = performance.now();
  const clients = await connectMany(count, 50, open);
  await settle(1000);
  return { clients, seconds: (performance.now() - started) / 1000 };
}

export const fanOutFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const dispatcher = await login(stack.apiUrl, 'dispatcher@example.com', DEMO_PASSWORD);
  const driver = await login(stack.apiUrl, 'driver5@example.com', DEMO_PASSWORD);

  log(`B5: ${sizes.clients} dispatcher sockets, ${sizes.broadcasts} broadcasts`);
  const api = await connectTimed(sizes.clients, () => connectSocket(stack.apiUrl, { token: dispatcher.token }));
  const subject = await fanOut(api.clients, sizes.broadcasts, async (at) => {
    const res = await fetch(`${stack.apiUrl}/api/v1/drivers/me/location`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${driver.token}` },
      body: JSON.stringify({ lat: 52.52, lng: 13.405, recordedAt: at }),
    });
    if (res.status !== 202) throw new Error(`location POST: ${res.status} ${await res.text()}`);
  });
  subject.connectSeconds = api.seconds;

  const port = await freePort();
  const server = startService('socket baseline', 'bench/baselines/socket-server.ts', { env: {}, args: [String(port)] });
  let baseline: FanOut;
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(server, 'health', async () => (await fetch(`${url}/health`)).status === 200);
    const plain = await connectTimed(sizes.clients, () => connectSocket(url, {}));
    baseline = await fanOut(plain.clients, sizes.broadcasts, async (at) => {
      const res = await fetch(`${url}/emit`, { method: 'POST', body: JSON.stringify({ driverId: driver.user.driverId, lat: 52.52, lng: 13.405, at }) });
      await res.arrayBuffer();
    });
    baseline.connectSeconds = plain.seconds;
  } finally {
    await server.stop();
  }
  const s = subject.latency;
  return [
    {
      id: 'B5',
      name: 'fan-out',
      value: `${sizes.clients} sockets: p50 ${s.p50.toFixed(1)} / p99 ${s.p99.toFixed(1)} ms${subject.missing ? `, ${subject.missing} missing` : ''}`,
      baseline: `p50 ${baseline.latency.p50.toFixed(1)} / p99 ${baseline.latency.p99.toFixed(1)} ms (plain Socket.IO)`,
      ratio: baseline.latency.p99 / s.p99,
      target: 'p99 ≤ 200 ms',
      met: subject.missing === 0 && s.p99 <= 200,
      details: { subject, baseline },
    },
  ];
};
