/**
 * B5: one broadcast reaching many dispatcher sockets. A driver's location POST goes to the `dispatch` room;
 * each client's arrival time minus the POST's start is one sample. Baseline: plain Socket.IO, one room,
 * as many clients and the same trigger (an HTTP POST that emits). Both sets stay connected and the
 * broadcasts alternate between them.
 */
import type { Figure } from './lib/context.js';
import { DEMO_PASSWORD } from './lib/env.js';
import { login } from './lib/http.js';
import { freePort } from '../scripts/lib/ports.js';
import { startService, waitUntil } from './lib/processes.js';
import { connectMany, connectSocket, settle, type ClientSocket } from './lib/sockets.js';
import { summarize } from './lib/stats.js';

/** One broadcast: how long its trigger took to answer and when its last socket heard it (ms after the send). */
interface Broadcast {
  at: string;
  answeredMs: number;
  lastMs: number;
}

class Audience {
  readonly samples: number[] = [];
  readonly sentAt = new Map<string, number>();
  readonly lastArrival = new Map<string, number>();
  readonly answered = new Map<string, number>();
  clients: ClientSocket[] = [];
  connectSeconds = 0;
  broadcasts = 0;

  async connect(count: number, open: () => Promise<ClientSocket>): Promise<void> {
    const started = performance.now();
    this.clients = await connectMany(count, 50, open);
    this.connectSeconds = (performance.now() - started) / 1000;
    for (const socket of this.clients) {
      socket.on('driver:location', (location) => {
        const sent = this.sentAt.get(location.at);
        if (sent === undefined) return;
        const ms = performance.now() - sent;
        this.samples.push(ms);
        this.lastArrival.set(location.at, Math.max(ms, this.lastArrival.get(location.at) ?? 0));
      });
    }
  }

  /** One broadcast; `record` false for warm-up ones. */
  async broadcast(at: string, send: (at: string) => Promise<void>, record: boolean): Promise<void> {
    if (record) {
      this.sentAt.set(at, performance.now());
      this.broadcasts += 1;
    }
    const started = performance.now();
    await send(at);
    if (record) this.answered.set(at, performance.now() - started);
  }

  /** The broadcast whose last socket heard it latest: a p99 far above the p50 is usually one of these. */
  slowest(): Broadcast | undefined {
    let worst: Broadcast | undefined;
    for (const [at, lastMs] of this.lastArrival) {
      if (!worst || lastMs > worst.lastMs) worst = { at, answeredMs: this.answered.get(at) ?? Number.NaN, lastMs };
    }
    return worst;
  }

  result() {
    return {
      latency: summarize(this.samples),
      missing: this.clients.length * this.broadcasts - this.samples.length,
      connectSeconds: this.connectSeconds,
      slowest: this.slowest(),
    };
  }

  close(): void {
    for (const socket of this.clients) socket.disconnect();
  }
}

export const fanOutFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const dispatcher = await login(stack.apiUrl, 'dispatcher@example.com', DEMO_PASSWORD);
  const driver = await login(stack.apiUrl, 'driver5@example.com', DEMO_PASSWORD);
  const port = await freePort();
  const plainUrl = `http://127.0.0.1:${port}`;
  const server = startService('socket baseline', 'bench/baselines/socket-server.ts', { env: {}, args: [String(port)] });
  const api = new Audience();
  const plain = new Audience();
  const toApi = async (at: string) => {
    const res = await fetch(`${stack.apiUrl}/api/v1/drivers/me/location`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${driver.token}` },
      body: JSON.stringify({ lat: 52.52, lng: 13.405, recordedAt: at }),
    });
    if (res.status !== 202) throw new Error(`location POST: ${res.status} ${await res.text()}`);
  };
  const toPlain = async (at: string) => {
    const res = await fetch(`${plainUrl}/emit`, { method: 'POST', body: JSON.stringify({ driverId: driver.user.driverId, lat: 52.52, lng: 13.405, at }) });
    await res.arrayBuffer();
  };
  try {
    await waitUntil(server, 'health', async () => (await fetch(`${plainUrl}/health`)).status === 200);
    log(`B5: ${sizes.clients} sockets on the API and ${sizes.clients} on plain Socket.IO, ${sizes.broadcasts} broadcasts each, alternating`);
    await api.connect(sizes.clients, () => connectSocket(stack.apiUrl, { token: dispatcher.token }));
    await plain.connect(sizes.clients, () => connectSocket(plainUrl, {}));
    await settle(1000);
    const base = Date.now() - 60_000;
    // The first broadcasts warm both ends up and are not counted.
    for (let i = 0; i < sizes.broadcasts + 3; i += 1) {
      await api.broadcast(new Date(base + 2 * i).toISOString(), toApi, i >= 3);
      await settle(150);
      await plain.broadcast(new Date(base + 2 * i + 1).toISOString(), toPlain, i >= 3);
      await settle(150);
    }
    await settle(1000);
  } finally {
    api.close();
    plain.close();
    await server.stop();
  }
  const subject = api.result();
  const baseline = plain.result();
  const slowest = (b: Broadcast | undefined) => (b ? `trigger answered in ${b.answeredMs.toFixed(1)} ms, last socket at ${b.lastMs.toFixed(1)} ms` : 'none');
  log(`B5: slowest broadcast, API: ${slowest(subject.slowest)}; plain: ${slowest(baseline.slowest)}`);
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
