/** Wires the API's services from its clients, once per process. */
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { Config } from '../../config/env.js';
import type { TemporalLinks } from '../../db/deliveries.js';
import { createImportStore } from '../../db/imports.js';
import { createOrganizationStore } from '../../db/organizations.js';
import { ApiKeyAuth, apiKeysRevokedChannel } from '../auth/api-keys.js';
import { AuthService } from '../auth/auth-service.js';
import { sessionsEndedChannel } from '../auth/session-cache.js';
import { TokenService } from '../auth/tokens.js';
import { createGeoProviders } from '../../adapters/geo/providers.js';
import { createPlaceStore } from '../../db/places.js';
import { createRateLimits } from '../rate-limits.js';
import { DeliveriesService } from './deliveries-service.js';
import { DeliveryCodes } from './delivery-codes.js';
import { DriversService } from './drivers-service.js';
import { ImportsService } from './imports-service.js';
import { LocationBuffer } from './location-buffer.js';
import { PlacesService } from './places-service.js';
import { OrganizationsService } from './organizations-service.js';
import { ProofsService } from './proofs-service.js';
import { TrackingReads } from './tracking-reads.js';

export interface ApiDeps {
  config: Readonly<Config>;
  logger: Logger;
  sequelize: Sequelize;
  /** Public tracking reads (DATABASE_READ_URL). */
  reads: pg.Pool;
  redis: Redis;
  temporal: Client;
  live: LivePublisher;
}

export function createServices(deps: ApiDeps) {
  const { config, sequelize } = deps;
  const links: TemporalLinks = { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE };
  const tokens = new TokenService({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, accessTtlSeconds: config.ACCESS_TOKEN_TTL_S });
  const endedChannel = sessionsEndedChannel(config.REDIS_PREFIX);
  const auth = new AuthService({
    sequelize,
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
  const organizationStore = createOrganizationStore(sequelize);
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
  const locations = new LocationBuffer(sequelize, deps.logger);
  const tracking = new TrackingReads(deps.reads, config.TRACKING_CACHE_MS);
  const geo = createGeoProviders(config, { redis: deps.redis, logger: deps.logger });
  const placeStore = createPlaceStore(sequelize);
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
    places: new PlacesService({ store: placeStore, geocoder: geo.geocoder, logger: deps.logger }),
    proofs: new ProofsService(sequelize),
    imports: new ImportsService({
      store: createImportStore(sequelize),
      temporal: deps.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      timings: config.timings,
      aiDispatch: Boolean(config.GROQ_API_KEY),
    }),
    deliveries: new DeliveriesService({
      temporal: deps.temporal,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      links,
      timings: config.timings,
      aiDispatch: Boolean(config.GROQ_API_KEY),
      updateDeadlineMs: config.UPDATE_DEADLINE_MS,
      trips: geo.trips,
      live: deps.live,
      tracking,
      log: deps.logger,
      codes: new DeliveryCodes(sequelize, config.JWT_SECRET),
      codePriorities: config.DELIVERY_CODE_PRIORITIES,
      maxStopDistanceM: config.MILESTONE_MAX_DISTANCE_M,
    }),
    drivers: new DriversService({ sequelize, auth, live: deps.live, locations }),
  };
}
export type Services = ReturnType<typeof createServices>;
