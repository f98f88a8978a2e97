/**
 * The live connection of the pages (and of tests): typed Socket.IO events, delivery snapshots applied in
 * `seq` order, and a refetch whenever an event may have been missed (a gap in `seq`, a reconnect).
 */
import { io, type Socket } from 'socket.io-client';
import type { Delivery, TimelineEvent, TrackingView } from '../../../domain/delivery.js';
import type { AlertRecord } from '../../../domain/alerts.js';
import type { AlertEvent, ClientToServerEvents, DriverLocationEvent, ServerToClientEvents } from '../../../domain/events.js';
import type { ImportProgress } from '../../../domain/imports.js';

export type LiveStatus = 'connecting' | 'connected' | 'disconnected';
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveClientOptions {
  url?: string; // default: same origin
  /** With `organizationId`, the connection acts in that organisation and hears of its deliveries as they are booked. */
  auth: { token: string; organizationId?: string } | { trackingCode: string };
  getToken?: () => Promise<string>; // fresh access token for each (re)connect
  /** Snapshot refetch on a seq gap / reconnect; needed with `auth.token`. */
  fetchDelivery?: (id: string) => Promise<Delivery>;
  /** Called only with a newer seq than seen; needed with `auth.token`. */
  onDelivery?: (delivery: Delivery) => void;
  /** Tracking connections: the public view, only with a newer seq than seen. */
  onTracking?: (view: TrackingView) => void;
  /** Tracking connections: the view refetched on every (re)connect. */
  fetchTracking?: () => Promise<TrackingView>;
  onLocation?: (loc: DriverLocationEvent) => void;
  onAlert?: (alert: AlertEvent) => void;
  /** An alert of the read model raised, acknowledged or resolved (dispatchers). */
  onAlertUpdated?: (alert: AlertRecord) => void;
  onReleased?: (info: { deliveryId: string; reason: string }) => void;
  /** A bulk import's progress (the uploader's, or the organisation's). */
  onImport?: (progress: ImportProgress) => void;
  /** After 'connected' following a 'disconnected', lists the page holds outside `track()` may be stale. */
  onStatus?: (status: LiveStatus) => void;
  /** The session was ended (logout, revoked refresh family, disabled account); the client stays closed. */
  onRevoked?: (reason: string) => void;
  /** The server refused the handshake for good (bad token or tracking code). */
  onRefused?: (reason: string) => void;
  onError?: (err: unknown) => void;
  transports?: ('websocket' | 'polling')[];
  ackTimeoutMs?: number;
}

export interface LiveClient {
  /** Joins the delivery's room (re-joined after every reconnect); null when it is not visible to this user. */
  subscribe(deliveryId: string): Promise<Delivery | null>;
  /** Records a snapshot's seq: later events with seq ≤ it are dropped, and it is refetched after gaps. */
  track(delivery: Delivery): void;
  /** Tracking connections: records the view's seq. */
  trackView(view: TrackingView): void;
  untrack(deliveryId: string): void;
  close(): void;
  readonly connected: boolean;
  /** The underlying socket, for diagnostics and tests. */
  readonly socket: LiveSocket;
}

interface Followed {
  seq: number;
  delivery: Delivery | null;
  subscribed: boolean;
  /** Events that arrive while a refetch is in flight, replayed after it. */
  held: Array<[Delivery, TimelineEvent | undefined]> | null;
}

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

export function connectLive(options: LiveClientOptions): LiveClient {
  const tracking = 'trackingCode' in options.auth;
  if (!tracking && (!options.fetchDelivery || !options.onDelivery)) {
    throw new TypeError('connectLive: a token connection needs fetchDelivery and onDelivery');
  }
  let token = 'token' in options.auth ? options.auth.token : '';
  const followed = new Map<string, Followed>();
  const seen = new Map<string, number>();
  let viewSeq = 0;
  let closed = false;
  let revoked = false;
  let refusals = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const report = (err: unknown) => options.onError?.(err);

  const socketOptions = {
    // WebSocket first (no upgrade round trips); polling when a proxy refuses WebSockets.
    transports: options.transports ?? ['websocket', 'polling'],
    tryAllTransports: true,
    auth: (cb: (data: object) => void) => {
      if ('trackingCode' in options.auth) return cb({ trackingCode: options.auth.trackingCode });
      const organization = 'organizationId' in options.auth && options.auth.organizationId ? { organizationId: options.auth.organizationId } : {};
      if (!options.getToken) return cb({ token, ...organization });
      options.getToken().then(
        (fresh) => cb({ token: (token = fresh), ...organization }),
        (err) => (report(err), cb({ token, ...organization })),
      );
    },
  };
  const socket: LiveSocket = options.url ? io(options.url, socketOptions) : io(socketOptions);
  options.onStatus?.('connecting');

  const deliver = (delivery: Delivery) => {
    seen.set(delivery.id, Math.max(delivery.seq, seen.get(delivery.id) ?? 0));
    options.onDelivery?.(delivery);
  };

  /** Applies one event to a followed delivery; `lenient` accepts a gap instead of refetching again. */
  function applyFollowed(f: Followed, delivery: Delivery, event: TimelineEvent | undefined, lenient: boolean) {
    if (delivery.seq <= f.seq) return;
    const contiguous = delivery.seq === f.seq + 1 && (event !== undefined || !f.delivery?.timeline);
    if (!contiguous && !lenient) return void refetch(delivery.id, [delivery, event]);
    const timeline = f.delivery?.timeline;
    const next = timeline ? { ...delivery, timeline: contiguous && event ? [...timeline, event] : timeline } : delivery;
    f.seq = next.seq;
    f.delivery = next;
    deliver(next);
  }

  /** A fetched snapshot: shown when newer; kept (not shown) when it only fills in a missing timeline. */
  function adopt(f: Followed, snapshot: Delivery) {
    if (snapshot.seq < f.seq || (snapshot.seq === f.seq && f.delivery)) return;
    const newer = snapshot.seq > f.seq;
    f.seq = snapshot.seq;
    f.delivery = snapshot;
    if (newer) deliver(snapshot);
  }

  function follow(snapshot: Delivery, subscribed: boolean) {
    const f = followed.get(snapshot.id) ?? { seq: seen.get(snapshot.id) ?? 0, delivery: null, subscribed, held: null };
    f.subscribed ||= subscribed;
    followed.set(snapshot.id, f);
    if (snapshot.seq >= f.seq) {
      f.seq = snapshot.seq;
      f.delivery = snapshot;
      seen.set(snapshot.id, Math.max(snapshot.seq, seen.get(snapshot.id) ?? 0));
    } else if (!f.delivery) {
      // Newer events were already shown: this snapshot's timeline is behind them.
      void refetch(snapshot.id);
    }
  }

  async function refetch(id: string, first?: [Delivery, TimelineEvent | undefined]) {
    const f = followed.get(id);
    if (!f) return;
    if (f.held) return void (first && f.held.push(first));
    f.held = first ? [first] : [];
    try {
      adopt(f, await options.fetchDelivery!(id));
    } catch (err) {
      report(err);
    }
    const held = f.held;
    f.held = null;
    for (const [d, e] of held) applyFollowed(f, d, e, true);
  }

  async function resubscribe(id: string) {
    const f = followed.get(id);
    if (!f) return;
    try {
      const result = await socket.timeout(options.ackTimeoutMs ?? 10_000).emitWithAck('delivery:subscribe', id);
      if (result.ok) adopt(f, result.delivery);
      else if (result.code === 'NOT_FOUND') followed.delete(id);
      else void refetch(id);
    } catch (err) {
      report(err);
      void refetch(id);
    }
  }

  function resync() {
    for (const [id, f] of followed) void (f.subscribed ? resubscribe(id) : refetch(id));
    if (tracking && options.fetchTracking) {
      options.fetchTracking().then(applyView, report);
    }
  }

  function applyView(view: TrackingView) {
    if (view.seq <= viewSeq) return;
    viewSeq = view.seq;
    options.onTracking?.(view);
  }

  function retryLater() {
    clearTimeout(retry);
    retry = setTimeout(() => !closed && !revoked && socket.connect(), RETRY_MS[Math.min(refusals, RETRY_MS.length - 1)]);
    refusals += 1;
  }

  socket.on('connect', () => {
    refusals = 0;
    options.onStatus?.('connected');
    // A recovered session replayed what was missed; otherwise refetch (the first connect included:
    // a snapshot taken before the room was joined may already be behind).
    if (!socket.recovered) resync();
  });
  socket.io.on('reconnect_attempt', () => options.onStatus?.('connecting'));
  socket.on('disconnect', (reason) => {
    options.onStatus?.('disconnected');
    // The server ended the connection (token expiry, shutdown): Socket.IO leaves that to us.
    if (reason === 'io server disconnect' && !closed && !revoked) retryLater();
  });
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (socket.active) return; // a transport failure: the manager retries on its own
    const final = err.message === 'unauthorized' && !(options.getToken && refusals === 0);
    if (final) {
      options.onStatus?.('disconnected');
      options.onRefused?.(err.data?.code ?? err.message);
      return;
    }
    retryLater();
  });

  socket.on('delivery:updated', (delivery, event) => {
    const f = followed.get(delivery.id);
    if (f) {
      if (f.held) f.held.push([delivery, event]);
      else applyFollowed(f, delivery, event, false);
    } else if (delivery.seq > (seen.get(delivery.id) ?? 0)) {
      deliver(delivery);
    }
  });
  socket.on('tracking:updated', applyView);
  socket.on('import:progress', (progress) => options.onImport?.(progress));
  socket.on('driver:location', (loc) => options.onLocation?.(loc));
  socket.on('alert:raised', (alert) => options.onAlert?.(alert));
  socket.on('alert:updated', (alert) => options.onAlertUpdated?.(alert));
  socket.on('delivery:released', (info) => {
    followed.delete(info.deliveryId);
    options.onReleased?.(info);
  });
  socket.on('session:revoked', ({ reason }) => {
    revoked = true;
    socket.io.reconnection(false);
    socket.disconnect();
    options.onRevoked?.(reason);
  });

  return {
    async subscribe(deliveryId) {
      if (closed || revoked) throw new Error('the live connection is closed');
      const result = await socket.timeout(options.ackTimeoutMs ?? 10_000).emitWithAck('delivery:subscribe', deliveryId);
      if (!result.ok) {
        if (result.code === 'NOT_FOUND' || result.code === 'FORBIDDEN') return null;
        throw new Error(`subscribe ${deliveryId}: ${result.code} ${result.message}`);
      }
      follow(result.delivery, true);
      return result.delivery;
    },
    track(delivery) {
      follow(delivery, false);
    },
    trackView(view) {
      viewSeq = Math.max(viewSeq, view.seq);
    },
    untrack(deliveryId) {
      const f = followed.get(deliveryId);
      followed.delete(deliveryId);
      if (f?.subscribed && socket.connected) socket.emit('delivery:unsubscribe', deliveryId);
    },
    close() {
      closed = true;
      clearTimeout(retry);
      socket.disconnect();
    },
    get connected() {
      return socket.connected;
    },
    socket,
  };
}
