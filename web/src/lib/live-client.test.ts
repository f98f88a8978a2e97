import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery, TimelineEvent, TrackingView } from '../../../domain/delivery.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../domain/events.js';
import { connectLive, type LiveClient, type LiveClientOptions } from './live-client.js';

type TestServer = Server<ClientToServerEvents, ServerToClientEvents>;

const ID = '6f1c1d1e-0000-4000-8000-000000000001';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function event(seq: number): TimelineEvent {
  return { seq, type: `step${seq}`, at: new Date(1_700_000_000_000 + seq * 1000).toISOString(), actor: { kind: 'system' }, data: {} };
}

/** A delivery at `seq`; with `timeline`, events 1..seq like GET /deliveries/:id returns them. */
function delivery(seq: number, timeline = false, id = ID): Delivery {
  return {
    id, seq, trackingCode: 'ABCDEFGHJKMNPQRS', status: 'DISPATCHING', delayed: false, priority: 'standard',
    pickup: { address: 'a', lat: 1, lng: 1 }, dropoff: { address: 'b', lat: 2, lng: 2 }, parcel: { weightKg: 1 },
    quote: { amountCents: 100, currency: 'EUR', distanceKm: 1, breakdown: [], expiresAt: new Date().toISOString() },
    customerId: 'c', attempts: 0, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z',
    workflowId: `delivery-${id}`, temporalUiUrl: 'http://ui',
    pickupWindow: null, dropoffWindow: null, dispatchAt: null, codeRequired: false, leaveAtDoor: false,
    ...(timeline ? { timeline: Array.from({ length: seq }, (_, i) => event(i + 1)) } : {}),
  } as Delivery;
}

async function startServer(setup: (io: TestServer) => void = () => {}, transports?: ('websocket' | 'polling')[]) {
  const http = createServer();
  const io: TestServer = new Server(http, transports ? { transports } : {});
  setup(io);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

function client(options: Partial<LiveClientOptions> & Pick<LiveClientOptions, 'url'>): LiveClient {
  const live = connectLive({
    auth: { token: 't' },
    transports: ['websocket'],
    fetchDelivery: async (id) => delivery(0, true, id),
    onDelivery: () => {},
    ...options,
  });
  cleanups.push(() => live.close());
  return live;
}

const until = (what: () => boolean) => vi.waitFor(() => expect(what()).toBe(true), { timeout: 5000, interval: 20 });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connectLive', () => {
  it('drops stale and duplicate seq and extends a tracked timeline event by event', async () => {
    const { io, url } = await startServer();
    const shown: Delivery[] = [];
    const live = client({ url, fetchDelivery: async () => delivery(2, true), onDelivery: (d) => shown.push(d) });
    live.track(delivery(2, true));
    await until(() => live.connected);
    io.emit('delivery:updated', delivery(2), event(2));
    io.emit('delivery:updated', delivery(1), event(1));
    io.emit('delivery:updated', delivery(3), event(3));
    io.emit('delivery:updated', delivery(3), event(3));
    await until(() => shown.length >= 1);
    await pause(100);
    expect(shown.map((d) => d.seq)).toEqual([3]);
    expect(shown[0]!.timeline!.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('drops stale seq for deliveries it only sees in a room, without refetching them', async () => {
    const { io, url } = await startServer();
    const shown: number[] = [];
    const fetchDelivery = vi.fn(async (id: string) => delivery(9, true, id));
    const live = client({ url, fetchDelivery, onDelivery: (d) => shown.push(d.seq) });
    await until(() => live.connected);
    for (const seq of [1, 3, 2, 3, 4]) io.emit('delivery:updated', delivery(seq), event(seq));
    await until(() => shown.length >= 3);
    await pause(100);
    expect(shown).toEqual([1, 3, 4]);
    expect(fetchDelivery).not.toHaveBeenCalled();
  });

  it('on a seq gap refetches the snapshot and replays events that arrived meanwhile', async () => {
    const { io, url } = await startServer();
    const shown: Delivery[] = [];
    let release: () => void = () => {};
    const fetchDelivery = vi.fn(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return delivery(5, true);
    });
    const live = client({ url, fetchDelivery, onDelivery: (d) => shown.push(d) });
    await until(() => live.connected);
    live.track(delivery(3, true));
    io.emit('delivery:updated', delivery(5), event(5));
    await until(() => fetchDelivery.mock.calls.length === 1);
    io.emit('delivery:updated', delivery(6), event(6));
    await pause(100);
    expect(shown).toEqual([]);
    release();
    await until(() => shown.length === 2);
    expect(shown.map((d) => d.seq)).toEqual([5, 6]);
    expect(shown[1]!.timeline!.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('after a cut connection re-subscribes and refetches what it follows, and reports its status', async () => {
    const subscribes: string[] = [];
    const { url } = await startServer((io) =>
      io.on('connection', (socket) =>
        socket.on('delivery:subscribe', (id, ack) => {
          subscribes.push(id);
          ack({ ok: true, delivery: delivery(subscribes.length * 10, true, id) });
        }),
      ),
    );
    const other = '6f1c1d1e-0000-4000-8000-000000000002';
    const statuses: string[] = [];
    const shown: number[] = [];
    const fetchDelivery = vi.fn(async (id: string) => delivery(7, true, id));
    const live = client({ url, fetchDelivery, onDelivery: (d) => shown.push(d.seq), onStatus: (s) => statuses.push(s) });
    expect((await live.subscribe(ID))?.seq).toBe(10);
    live.track(delivery(4, true, other));
    expect(fetchDelivery).not.toHaveBeenCalled();

    live.socket.io.engine.close();
    await until(() => subscribes.length === 2 && shown.length === 2);
    expect(subscribes).toEqual([ID, ID]);
    expect(fetchDelivery.mock.calls.map((c) => c[0])).toEqual([other]);
    expect(shown.sort((a, b) => a - b)).toEqual([7, 20]);
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('stops for good when the session is revoked', async () => {
    let connections = 0;
    const { io, url } = await startServer((server) => server.on('connection', () => (connections += 1)));
    const revoked: string[] = [];
    const live = client({ url, onRevoked: (reason) => revoked.push(reason) });
    await until(() => live.connected);
    io.emit('session:revoked', { reason: 'logged out' });
    io.disconnectSockets(true);
    await until(() => revoked.length === 1);
    await pause(1500);
    expect(revoked).toEqual(['logged out']);
    expect(live.connected).toBe(false);
    expect(connections).toBe(1);
    await expect(live.subscribe(ID)).rejects.toThrow(/closed/);
  });

  it('asks for a fresh token on every connect and reconnects when the server ends the connection', async () => {
    const tokens: string[] = [];
    const { io, url } = await startServer((server) =>
      server.use((socket, next) => {
        const token = (socket.handshake.auth as { token: string }).token;
        tokens.push(token);
        next(token.startsWith('fresh') ? undefined : Object.assign(new Error('unauthorized'), { data: { code: 'INVALID_TOKEN' } }));
      }),
    );
    let n = 0;
    const live = client({ url, auth: { token: 'expired' }, getToken: async () => `fresh-${++n}` });
    await until(() => live.connected);
    io.disconnectSockets(); // what the server does when the access token expires
    await until(() => tokens.length === 2 && live.connected);
    expect(tokens).toEqual(['fresh-1', 'fresh-2']);
  });

  it('gives up on a refused token when it cannot get another', async () => {
    let attempts = 0;
    const { url } = await startServer((server) =>
      server.use((_socket, next) => {
        attempts += 1;
        next(Object.assign(new Error('unauthorized'), { data: { code: 'INVALID_TOKEN' } }));
      }),
    );
    const refused: string[] = [];
    client({ url, onRefused: (reason) => refused.push(reason) });
    await until(() => refused.length === 1);
    await pause(1500);
    expect(refused).toEqual(['INVALID_TOKEN']);
    expect(attempts).toBe(1);
  });

  it('tracking connections get the public view in seq order and refetch it on connect', async () => {
    let auth: unknown;
    const { io, url } = await startServer((server) => server.on('connection', (socket: ServerSocket) => (auth = socket.handshake.auth)));
    const views: number[] = [];
    const view = (seq: number) => ({ trackingCode: 'ABCDEFGHJKMNPQRS', seq, status: 'ASSIGNED', timeline: [] }) as unknown as TrackingView;
    const live = connectLive({
      url,
      transports: ['websocket'],
      auth: { trackingCode: 'ABCDEFGHJKMNPQRS' },
      fetchTracking: async () => view(2),
      onTracking: (v) => views.push(v.seq),
    });
    cleanups.push(() => live.close());
    await until(() => views.length === 1);
    for (const seq of [1, 2, 4, 3]) io.emit('tracking:updated', view(seq));
    await until(() => views.length === 2);
    await pause(100);
    expect(views).toEqual([2, 4]);
    expect(auth).toEqual({ trackingCode: 'ABCDEFGHJKMNPQRS' });
  });

  it('falls back to long-polling where WebSockets are refused', async () => {
    const { url } = await startServer(undefined, ['polling']);
    const live = connectLive({ url, auth: { token: 't' }, fetchDelivery: async (id) => delivery(1, true, id), onDelivery: () => {} });
    cleanups.push(() => live.close());
    await until(() => live.connected);
    expect(live.socket.io.engine.transport.name).toBe('polling');
  });

  it('refuses to start a token connection that could not recover from a gap', () => {
    expect(() => connectLive({ auth: { token: 't' }, url: 'http://127.0.0.1:9', onDelivery: () => {} })).toThrow(/fetchDelivery/);
  });
});
