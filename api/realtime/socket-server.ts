/**
 * Socket.IO on the API's port (DESIGN §6). Rooms are joined by the server only, after the same
 * authorization the HTTP routes apply; instances share rooms through Redis.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { socketIoKey } from '../../adapters/live-publisher.js';
import { rooms, type ClientToServerEvents, type ServerToClientEvents, type SubscribeResult } from '../../domain/events.js';
import { userFromToken } from '../auth/middleware.js';
import { NotFoundError, TooManyRequestsError, UnauthorizedError } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';
import { consume } from '../rate-limits.js';
import type { Services } from '../services/index.js';
import type { AuthUser } from '../types.js';

interface SocketData {
  user?: AuthUser;
  /** When the handshake's access token expires (ms since epoch). */
  expiresAt?: number;
  trackingDeliveryId?: string;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeDeps {
  redis: Redis;
  prefix: string;
  allowedOrigins: string[];
  publicUrl: string;
  services: Services;
  logger: Logger;
  metrics?: ApiMetrics;
}

/** One socket follows at most this many deliveries by subscription (dispatchers get all through `dispatch`). */
export const MAX_SUBSCRIPTIONS = 200;
/**
 * Subscriptions one socket may ask for in a window: a reconnect re-subscribes everything it follows at
 * once, so the allowance covers that. Past it each one is refused (`RATE_LIMITED`) without touching
 * Postgres; a socket that keeps on to twice the allowance is disconnected.
 */
export const SUBSCRIBE_LIMIT = { perWindow: MAX_SUBSCRIPTIONS + 40, windowMs: 10_000, disconnectAt: 2 * (MAX_SUBSCRIPTIONS + 40) } as const;

/** Counts a socket's subscriptions in fixed windows. */
function subscribeAllowance(now: () => number = Date.now) {
  let windowStart = now();
  let used = 0;
  return (): 'ok' | 'refuse' | 'disconnect' => {
    if (now() - windowStart >= SUBSCRIBE_LIMIT.windowMs) {
      windowStart = now();
      used = 0;
    }
    used += 1;
    if (used > SUBSCRIBE_LIMIT.disconnectAt) return 'disconnect';
    return used > SUBSCRIBE_LIMIT.perWindow ? 'refuse' : 'ok';
  };
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Browsers must come from our own origin or an allow-listed one; non-browser clients send no Origin. */
function originAllowed(req: IncomingMessage, allowed: string[], publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const own = [new URL(publicUrl).origin, `http://${req.headers.host}`, `https://${req.headers.host}`];
  return own.includes(origin) || allowed.includes(origin);
}

/** A handshake refusal the client can tell apart: `unauthorized` is final, `unavailable` is worth a retry. */
function refusal(message: 'unauthorized' | 'rate limited' | 'unavailable', code: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

export function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps): RealtimeServer {
  const { services, logger } = deps;
  // The adapter's own connections wait out a Redis outage (no per-command retry limit) and report
  // it in one log line each instead of crashing the process with an unhandled error.
  const pub = deps.redis.duplicate({ maxRetriesPerRequest: null });
  const sub = deps.redis.duplicate({ maxRetriesPerRequest: null });
  for (const connection of [pub, sub]) connection.on('error', (err) => deps.logger.warn({ err: err.message }, 'socket adapter redis problem'));
  // io.close() closes the HTTP server; the adapter's own connections go with it.
  httpServer.once('close', () => {
    pub.disconnect();
    sub.disconnect();
  });
  const io: RealtimeServer = new Server(httpServer, {
    adapter: createAdapter(pub, sub, { key: socketIoKey(deps.prefix) }),
    // Clients only send subscriptions; anything bigger is not ours.
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    cors: { origin: deps.allowedOrigins, credentials: false },
    allowRequest: (req, callback) => {
      const ok = originAllowed(req, deps.allowedOrigins, deps.publicUrl);
      callback(ok ? null : 'origin not allowed', ok);
    },
    // The Redis pub/sub adapter keeps no packet log, so this only takes effect with an adapter that does
    // (clients refetch otherwise); a recovered session still passes the authentication middleware.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
  });

  io.use(async (socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; trackingCode?: unknown; organizationId?: unknown };
    try {
      if (typeof auth.token === 'string') {
        const user = await userFromToken(auth.token, services.tokens, services.auth);
        socket.data.expiresAt = (decodeJwt(auth.token).exp ?? 0) * 1000;
        // A connection in an organisation (as X-Organization-Id over HTTP) hears of its deliveries as they are booked.
        if (auth.organizationId !== undefined) {
          const organizationId = typeof auth.organizationId === 'string' ? auth.organizationId.toLowerCase() : '';
          const role = UUID.test(organizationId) ? await services.organizationStore.roleOf(organizationId, user.id) : null;
          if (!role) return next(refusal('unauthorized', 'ORGANIZATION_NOT_FOUND'));
          socket.data.user = { ...user, organizationId, organizationRole: role };
        } else socket.data.user = user;
        return next();
      }
      if (typeof auth.trackingCode === 'string') {
        await consume(services.limits.publicByIp, `track-socket:${socket.handshake.address}`);
        const found = await services.tracking.find(auth.trackingCode);
        if (found) {
          socket.data.trackingDeliveryId = found.id;
          return next();
        }
      }
      next(refusal('unauthorized', 'UNAUTHORIZED'));
    } catch (err) {
      if (err instanceof UnauthorizedError) return next(refusal('unauthorized', err.code));
      if (err instanceof TooManyRequestsError) return next(refusal('rate limited', 'RATE_LIMITED'));
      logger.warn({ err }, 'socket handshake failed');
      next(refusal('unavailable', 'UNAVAILABLE'));
    }
  });

  io.on('connection', (socket: LiveSocket) => {
    deps.metrics?.sockets.inc();
    const { user, trackingDeliveryId, expiresAt } = socket.data;
    let expiry: NodeJS.Timeout | undefined;
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      deps.metrics?.sockets.dec();
    });
    if (user) {
      void socket.join(rooms.user(user.id));
      if (user.sessionId) void socket.join(rooms.session(user.sessionId));
      if (user.role === 'dispatcher' || user.role === 'admin') void socket.join(rooms.dispatch);
      if (user.driverId) void socket.join(rooms.driver(user.driverId));
      if (user.organizationId) void socket.join([rooms.organization(user.organizationId), rooms.member(user.organizationId, user.id)]);
      // A socket lives no longer than its access token; the client reconnects with a fresh one.
      expiry = setTimeout(() => socket.disconnect(true), Math.max(0, (expiresAt ?? 0) - Date.now()));
    } else if (trackingDeliveryId) {
      void socket.join(rooms.tracking(trackingDeliveryId));
    }

    const allowance = subscribeAllowance();
    socket.on('delivery:subscribe', async (deliveryId, ack) => {
      const verdict = allowance();
      if (verdict === 'disconnect') {
        logger.warn({ userId: user?.id, address: socket.handshake.address }, 'socket disconnected: subscription flood');
        deps.metrics?.socketAbuse.inc();
        socket.disconnect(true);
        return;
      }
      if (typeof ack !== 'function') return;
      if (verdict === 'refuse') {
        ack({ ok: false, code: 'RATE_LIMITED', message: `at most ${SUBSCRIBE_LIMIT.perWindow} subscriptions every ${SUBSCRIBE_LIMIT.windowMs / 1000} s` });
        return;
      }
      ack(await subscribe(socket, user, deliveryId));
    });
    socket.on('delivery:unsubscribe', (deliveryId) => {
      if (typeof deliveryId === 'string') void socket.leave(rooms.delivery(deliveryId));
    });
  });

  async function subscribe(socket: LiveSocket, user: AuthUser | undefined, deliveryId: unknown): Promise<SubscribeResult> {
    // A tracking socket sees its own delivery only; its room was joined at connection.
    if (!user) return { ok: false, code: 'FORBIDDEN', message: 'tracking connections follow one delivery' };
    if (typeof deliveryId !== 'string' || !UUID.test(deliveryId)) return { ok: false, code: 'NOT_FOUND', message: 'delivery not found' };
    const following = [...socket.rooms].filter((r) => r.startsWith('delivery:')).length;
    if (following >= MAX_SUBSCRIPTIONS && !socket.rooms.has(rooms.delivery(deliveryId))) {
      return { ok: false, code: 'TOO_MANY_SUBSCRIPTIONS', message: `a connection follows at most ${MAX_SUBSCRIPTIONS} deliveries` };
    }
    const room = rooms.delivery(deliveryId);
    try {
      // The same scoped read as GET /deliveries/:id (not visible means not found), before joining;
      // the snapshot is read after joining, so no event falls between it and the room.
      await services.deliveries.get(user, deliveryId, false);
      await socket.join(room);
      return { ok: true, delivery: await services.deliveries.get(user, deliveryId) };
    } catch (err) {
      if (err instanceof NotFoundError) {
        void socket.leave(room);
        return { ok: false, code: 'NOT_FOUND', message: 'delivery not found' };
      }
      logger.warn({ err, deliveryId }, 'subscription failed');
      return { ok: false, code: 'UNAVAILABLE', message: 'try again shortly' };
    }
  }

  return io;
}
