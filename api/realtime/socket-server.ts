/**
 * Socket.IO on the API's port (DESIGN §6). Rooms are joined by the server only, after the same
 * authorization the HTTP routes apply; instances share rooms through Redis.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { Server, type Socket } from 'socket.io';
import { socketIoKey } from '../../activities/live.js';
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '../../domain/events.js';
import { userFromToken } from '../auth/middleware.js';
import type { ApiMetrics } from '../metrics.js';
import { loadTrackingView } from '../routes/tracking.js';
import type { Services } from '../services/index.js';
import type { AuthUser } from '../types.js';

interface SocketData {
  user?: AuthUser;
  trackingDeliveryId?: string;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeDeps {
  redis: Redis;
  sequelize: Sequelize;
  prefix: string;
  allowedOrigins: string[];
  publicUrl: string;
  services: Services;
  logger: Logger;
  metrics?: ApiMetrics;
}

/** Browsers must come from our own origin or an allow-listed one; non-browser clients send no Origin. */
export function originAllowed(req: IncomingMessage, allowed: string[], publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const own = [new URL(publicUrl).origin, `http://${req.headers.host}`, `https://${req.headers.host}`];
  return own.includes(origin) || allowed.includes(origin);
}

export function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps): RealtimeServer {
  const pub = deps.redis.duplicate();
  const sub = deps.redis.duplicate();
  const io: RealtimeServer = new Server(httpServer, {
    adapter: createAdapter(pub, sub, { key: socketIoKey(deps.prefix) }),
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    cors: { origin: deps.allowedOrigins, credentials: false },
    allowRequest: (req, callback) => callback(originAllowed(req, deps.allowedOrigins, deps.publicUrl) ? null : 'origin not allowed', originAllowed(req, deps.allowedOrigins, deps.publicUrl)),
  });
  const { services } = deps;

  io.use(async (socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; trackingCode?: unknown };
    try {
      if (typeof auth.token === 'string') {
        socket.data.user = await userFromToken(auth.token, services.tokens, services.auth);
        return next();
      }
      if (typeof auth.trackingCode === 'string') {
        const found = await loadTrackingView(deps.sequelize, services.links, auth.trackingCode.toUpperCase());
        if (found) {
          socket.data.trackingDeliveryId = found.id;
          return next();
        }
      }
      next(Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } }));
    } catch {
      next(Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } }));
    }
  });

  io.on('connection', (socket: LiveSocket) => {
    deps.metrics?.sockets.inc();
    socket.on('disconnect', () => deps.metrics?.sockets.dec());
    const { user, trackingDeliveryId } = socket.data;
    if (user) {
      void socket.join(rooms.user(user.id));
      if (user.role === 'dispatcher' || user.role === 'admin') void socket.join(rooms.dispatch);
      if (user.driverId) void socket.join(rooms.driver(user.driverId));
    } else if (trackingDeliveryId) {
      void socket.join(rooms.delivery(trackingDeliveryId));
    }

    socket.on('delivery:subscribe', async (deliveryId, ack) => {
      if (typeof ack !== 'function') return;
      if (typeof deliveryId !== 'string' || !/^[0-9a-f-]{36}$/i.test(deliveryId)) {
        return ack({ ok: false, code: 'NOT_FOUND', message: 'delivery not found' });
      }
      try {
        if (!user) {
          // A tracking socket sees its own delivery only; the room was joined at connection.
          return ack({ ok: false, code: 'FORBIDDEN', message: 'tracking connections follow one delivery' });
        }
        const delivery = await services.deliveries.get(user, deliveryId);
        await socket.join(rooms.delivery(deliveryId));
        ack({ ok: true, delivery });
      } catch {
        ack({ ok: false, code: 'NOT_FOUND', message: 'delivery not found' });
      }
    });
  });

  return io;
}
