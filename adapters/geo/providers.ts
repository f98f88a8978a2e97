/** Builds the configured geo providers once per process; each one is optional. */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import { memoryGeoCache, redisGeoCache, type GeoCache } from './cache.js';
import type { Geocoder } from './geocoder.js';
import { NominatimGeocoder } from './nominatim.js';
import { OsrmRouter } from './osrm.js';
import { PhotonGeocoder } from './photon.js';
import { createTripMeasurer, type RoadRouter, type TripMeasurer } from './router.js';

export interface GeoProviders {
  geocoder?: Geocoder;
  router?: RoadRouter;
  trips: TripMeasurer;
}

type GeoConfig = Pick<
  Config,
  'GEOCODER_URL' | 'GEOCODER_API' | 'GEOCODER_USER_AGENT' | 'GEOCODER_MIN_INTERVAL_MS' | 'GEOCODER_TIMEOUT_MS' | 'ROUTER_URL' | 'ROUTER_TIMEOUT_MS' | 'REDIS_PREFIX' | 'PUBLIC_URL'
>;

export function createGeoProviders(config: GeoConfig, options: { redis?: Redis; logger: Pick<Logger, 'warn' | 'info'> }): GeoProviders {
  const { logger } = options;
  const cache: GeoCache = options.redis
    ? redisGeoCache(options.redis, config.REDIS_PREFIX, (err) => logger.warn({ err: err.message }, 'geo cache unavailable; asking the provider'))
    : memoryGeoCache();
  const onChange = (state: string, name: string) => logger.warn({ provider: name, state }, `${name} circuit ${state}`);
  const geocoderOptions = config.GEOCODER_URL
    ? {
        baseUrl: config.GEOCODER_URL,
        cache,
        timeoutMs: config.GEOCODER_TIMEOUT_MS,
        userAgent: `${config.GEOCODER_USER_AGENT} (+${config.PUBLIC_URL})`,
        minIntervalMs: config.GEOCODER_MIN_INTERVAL_MS,
        breaker: { onChange },
      }
    : undefined;
  const geocoder = geocoderOptions && (config.GEOCODER_API === 'photon' ? new PhotonGeocoder(geocoderOptions) : new NominatimGeocoder(geocoderOptions));
  // OSRM servers have no per-second rule; quotes and dispatch call it at the pace deliveries come.
  const router = config.ROUTER_URL
    ? new OsrmRouter({ baseUrl: config.ROUTER_URL, cache, timeoutMs: config.ROUTER_TIMEOUT_MS, userAgent: config.GEOCODER_USER_AGENT, breaker: { onChange } })
    : undefined;
  const trips = createTripMeasurer(router, (err) => logger.warn({ err: err.message }, 'router failed; using the straight-line estimate'));
  return { geocoder, router, trips };
}
