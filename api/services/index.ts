/**
 * Wires the API's services and stores from its clients, once per process: the only place that hands
 * the database to db/'s stores. Routes get what is built here and nothing else.
 */
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import { createQueueProducer, queueSettings } from '../../adapters/queue-producer.js';
import type { Config } from '../../config/env.js';
import { createAlertStore } from '../../db/alerts.js';
import type { Database } from '../../db/connection.js';
import { createDeliveryCodeStore } from '../../db/delivery-codes.js';
import { createDeliveryStore, type TemporalLinks } from '../../db/deliveries.js';
import { createDriverStore } from '../../db/drivers.js';
import { createIdempotencyStore } from '../../db/idempotency-keys.js';
import { createImportStore } from '../../db/imports.js';
import { createLocationStore } from '../../db/locations.js';
import { createNotificationStore } from '../../db/notifications.js';
import { createOpsProbe, loadOperationsSnapshot } from '../../db/operations-snapshot.js';
import { createOrganizationStore } from '../../db/organizations.js';
import { createProofStore } from '../../db/proofs.js';
import { webhookSecretBox } from '../../db/secret-box.js';
import { createSessionStore } from '../../db/sessions.js';
import { createAccountStore } from '../../db/users.js';
import { createTrackingStore } from '../../db/tracking.js';
import { createWebhookStore } from '../../db/webhooks.js';
import { ApiKeyAuth, apiKeysRevokedChannel } from '../auth/api-keys.js';
import { AuthService } from '../auth/auth-service.js';
import { sessionsEndedChannel } from '../auth/session-cache.js';
import { TokenService } from '../auth/tokens.js';
import { createGeoProviders } from '../../adapters/geo/providers.js';
import { createPlaceStore } from '../../db/places.js';
import { createRateLimits } from '../rate-limits.js';
import { createAiService } from './ai-service.js';
import { DeliveriesService } from './deliveries-service.js';
import { UpdatesInFlight } from './updates-in-flight.js';
import { DeliveryCodes } from './delivery-codes.js';
import { DriversService } from './drivers-service.js';
import { ImportsService } from './imports-service.js';
import { LocationBuffer } from './location-buffer.js';
import { PlacesService } from './places-service.js';
import { OrganizationsService } from './organizations-service.js';
import { ProofsService } from './proofs-service.js';
import { TrackingReads } from './tracking-reads.js';
import { WebhooksService } from './webhooks-service.js';

export interface ApiDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Its statement pool reads from DATABASE_READ_URL when one is set (public tracking). */
  db: Database;
  redis: Redis;
  temporal: Client;
  live: LivePublisher;
}

export function createServices(deps: ApiDeps, registry: Registry) {
  const { config, db } = deps;
  const links: TemporalLinks = { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE };
  const updates = new UpdatesInFlight({
    sequelize: db,
    temporal: deps.temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    redis: deps.redis,
    redisPrefix: config.REDIS_PREFIX,
    log: deps.logger,
  });
  const tokens = new TokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, accessTtlSeconds: config.ACCESS_TOKEN_TTL_S });
  const endedChannel = sessionsEndedChannel(config.REDIS_PREFIX);
  const auth = new AuthService({
    accounts: createAccountStore(db),
    sessions: createSessionStore(db),
    tokens,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_S,
    live: deps.live,
    sessionCacheMs: config.SESSION_CACHE_MS,
    announceEnded: async (ended) => {
      await deps.redis.publish(endedChannel, JSON.stringify(ended)).catch((err: Error) => {
        deps.logger.warn({ err: err.message }, `ended sessions not announced to other API instances: they forget them within ${config.SESSION_CACHE_MS} ms`);
      });
    },
  });
  const organizationStore = createOrganizationStore(db);
  // Keys are remembered as long as sessions are: the same bound on a revocation whose announcement is lost.
  const apiKeys = new ApiKeyAuth(organizationStore, config.SESSION_CACHE_MS, deps.logger);
  const keysRevoked = apiKeysRevokedChannel(config.REDIS_PREFIX);
  const organizations = new OrganizationsService({
    store: organizationStore,
    keys: apiKeys,
    live: deps.live,
    publicUrl: config.PUBLIC_URL,
    log: deps.logger,
    announceRevokedKey: async (keyHash) => {
      await deps.redis.publish(keysRevoked, keyHash).catch((err: Error) => {
        deps.logger.warn({ err: err.message }, `revoked API key not announced to other API instances: they refuse it within ${config.SESSION_CACHE_MS} ms`);
      });
    },
  });
  const locations = new LocationBuffer(createLocationStore(db), deps.logger);
  const tracking = new TrackingReads(createTrackingStore(db), config.TRACKING_CACHE_MS);
  const geo = createGeoProviders(config, { redis: deps.redis, logger: deps.logger });
  const placeStore = createPlaceStore(db);
  const driverStore = createDriverStore(db);
  const deliveryStore = createDeliveryStore(links);
  const places = new PlacesService({ store: placeStore, geocoder: geo.geocoder, logger: deps.logger });
  // Shares the API's fail-fast Redis connection: redelivery and queue metrics answer at once when Redis is down.
  const queues = createQueueProducer(deps.redis, queueSettings(config));
  return {
    links,
    tokens,
    auth,
    apiKeys,
    organizationStore,
    organizations,
    locations,
    tracking,
    limits: createRateLimits(deps.redis, config.REDIS_PREFIX, config.RATE_LIMIT_PER_MINUTE, config.AI_QUOTA_PER_HOUR, config.REGISTER_PER_HOUR, config.GEOCODE_PER_MINUTE),
    geo,
    placeStore,
    places,
    queues,
    driverStore,
    deliveryStore,
    idempotencyKeys: createIdempotencyStore(db),
    ops: createOpsProbe(db),
    alerts: createAlertStore(db),
    notifications: createNotificationStore(db),
    webhooks: new WebhooksService({ store: createWebhookStore(db, webhookSecretBox(config.JWT_SECRET)), config, producer: queues }),
    ai: createAiService({ config, logger: deps.logger, snapshot: (now) => loadOperationsSnapshot(db, now), stops: placeStore, places }, registry),
    proofs: new ProofsService(createProofStore(db)),
    imports: new ImportsService({
      store: createImportStore(db),
      temporal: deps.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      timings: config.timings,
      aiDispatch: Boolean(config.GROQ_API_KEY),
    }),
    deliveries: new DeliveriesService({
      deliveries: deliveryStore,
      temporal: deps.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      links,
      timings: config.timings,
      aiDispatch: Boolean(config.GROQ_API_KEY),
      updateDeadlineMs: config.UPDATE_DEADLINE_MS,
      trips: geo.trips,
      tracking,
      codes: new DeliveryCodes(createDeliveryCodeStore(db), config.JWT_SECRET),
      codePriorities: config.DELIVERY_CODE_PRIORITIES,
      maxStopDistanceM: config.MILESTONE_MAX_DISTANCE_M,
      updates,
      live: deps.live,
      log: deps.logger,
    }),
    updates,
    drivers: new DriversService({ store: driverStore, auth, live: deps.live, locations }),
  };
}
export type Services = ReturnType<typeof createServices>;
