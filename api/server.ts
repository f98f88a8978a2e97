/** API process: HTTP + Socket.IO on one port. SIGTERM stops intake, drains sockets and exits 0. */
import { createServer, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { listenOn } from '../adapters/listen.js';
import { createLivePublisher, driverDeliveriesChangedChannel, trackingChangedChannel } from '../adapters/live-publisher.js';
import { loadConfig, type Config } from '../config/env.js';
import { createLogger } from '../config/logger.js';
import { openDatabase } from '../db/connection.js';
import { createApp, type BuiltApi } from './app.js';
import { apiKeysRevokedChannel } from './auth/api-keys.js';
import { endedSessionsListener, sessionsEndedChannel } from './auth/session-cache.js';
import { listenForEvictions } from './evictions.js';
import { locationFastPath } from './location-fast-path.js';
import { fixedResponseHeaders } from './response-headers.js';
import { keepPromiseHooksOff } from './temporal-context.js';
import { attachRealtime, type RealtimeServer } from './realtime/socket-server.js';
import { scheduleLocationPrune } from './services/location-buffer.js';

export interface RunningApi {
  server: Server;
  io: RealtimeServer;
  api: BuiltApi;
  port: number;
  close(): Promise<void>;
}

const REDIS_READY_WAIT_MS = 3000;

/** Resolves once the connection is ready, or after `ms` whatever its state. */
function redisReadyOrLater(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export async function startApi(config: Readonly<Config>): Promise<RunningApi> {
  const logger = createLogger(config, 'api');
  const db = openDatabase(config.DATABASE_URL, { readUrl: config.DATABASE_READ_URL, log: logger });
  // Commands fail fast while Redis is down instead of queueing behind a dead connection.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
  const emitterRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  emitterRedis.on('error', () => {});
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch(async (err: Error) => {
    // What was opened so far is closed, so a caller that goes on (a test, a supervisor) holds nothing of it.
    redis.disconnect();
    emitterRedis.disconnect();
    await db.close().catch(() => {});
    throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS): ${err.message}`, { cause: err });
  });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const promiseHooks = keepPromiseHooksOff(connection);
  const live = createLivePublisher(emitterRedis, config.REDIS_PREFIX, logger);

  const api = createApp({ config, logger, db, redis, temporal, live });
  const evictions = listenForEvictions(redis, {
    [sessionsEndedChannel(config.REDIS_PREFIX)]: endedSessionsListener(api.services.auth, logger),
    [trackingChangedChannel(config.REDIS_PREFIX)]: api.services.tracking.listener(),
    [driverDeliveriesChangedChannel(config.REDIS_PREFIX)]: api.services.drivers.openDeliveriesListener(),
    [apiKeysRevokedChannel(config.REDIS_PREFIX)]: api.services.apiKeys.evictions(),
  }, logger);
  const { tokens, auth, limits, drivers } = api.services;
  const fixedHeaders = fixedResponseHeaders();
  const pings = { tokens, auth, limiter: limits.requests.signedIn, drivers, logger, metrics: api.metrics, fixedHeaders, corsOrigins: new Set(config.CORS_ORIGINS) };
  const server = createServer(locationFastPath(pings, api.app.callback()));
  server.keepAliveTimeout = 65_000;
  const io = attachRealtime(server, {
    redis: emitterRedis,
    prefix: config.REDIS_PREFIX,
    allowedOrigins: config.CORS_ORIGINS,
    publicUrl: config.PUBLIC_URL,
    services: api.services,
    logger,
    metrics: api.metrics,
  });
  const locationPrune = scheduleLocationPrune(api.services.locations, config.LOCATION_RETENTION_DAYS, logger);
  api.services.updates.start();
  // The first requests should meet Redis's counters, not the in-memory fallback of a connection still
  // being made; a Redis that is down does not hold the start up (/ready says so).
  await redisReadyOrLater(redis, REDIS_READY_WAIT_MS);
  const port = await listenOn(server, config.PORT, 'api', 'set PORT to a free port');
  logger.info({ port }, 'api listening');

  return {
    server,
    io,
    api,
    port,
    async close() {
      locationPrune.stop();
      promiseHooks.stop();
      await api.services.updates.stop();
      // Local only: through the Redis adapter a plain disconnectSockets() would close every replica's sockets.
      io.local.disconnectSockets(true);
      // io.close() stops intake and waits for in-flight requests; one that hangs is cut after 10 s.
      const cutoff = setTimeout(() => server.closeAllConnections(), 10_000);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      clearTimeout(cutoff);
      server.closeAllConnections();
      await api.services.locations.close();
      // Unused leased rate-limit points go back to the shared budget before Redis is let go.
      const { signedIn, anonymous } = api.services.limits.requests;
      await Promise.all([signedIn.release(), anonymous.release()]);
      await connection.close();
      redis.disconnect();
      evictions.disconnect();
      emitterRedis.disconnect();
      await db.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfig();
  const running = await startApi(config).catch((err: Error) => {
    createLogger(config, 'api').fatal({ err: err.message }, 'api could not start');
    process.exit(1);
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    createLogger(config, 'api').info({ signal }, 'shutting down');
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
