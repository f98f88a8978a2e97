/**
 * What every geocoder spoken over HTTP shares: the provider's HTTP client (spacing, timeout, 429 rule),
 * a circuit breaker, and answers cached by query. A provider adapter says only how to ask and read.
 */
import type { LatLng } from '../../domain/geo.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { cacheKey, type GeoCache } from './cache.js';
import type { Geocoder, GeocoderHit } from './geocoder.js';
import { createProviderHttp, type ProviderHttpOptions } from './provider-http.js';

/** Search results change rarely; a week keeps repeated look-ups off the provider. */
const SEARCH_TTL_S = 7 * 24 * 3600;
const REVERSE_TTL_S = 30 * 24 * 3600;

export interface HttpGeocoderOptions extends Omit<ProviderHttpOptions, 'provider'> {
  baseUrl: string;
  cache: GeoCache;
  breaker?: { failureThreshold?: number; cooldownMs?: number; now?: () => number; onChange?: (state: BreakerState, name: string) => void };
}

export abstract class HttpGeocoder implements Geocoder {
  readonly breaker: CircuitBreaker;
  protected readonly get;
  protected readonly base: string;

  constructor(
    readonly name: string,
    private readonly options: HttpGeocoderOptions,
  ) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.get = createProviderHttp({ ...options, provider: name });
    this.breaker = new CircuitBreaker({ name, ...options.breaker });
  }

  /** One search as the provider answers it; a fault throws (the breaker counts it). */
  protected abstract askSearch(query: string, near: LatLng | undefined, limit: number): Promise<GeocoderHit[]>;
  protected abstract askReverse(point: LatLng): Promise<GeocoderHit | null>;

  async search(query: string, { near, limit = 5 }: { near?: LatLng; limit?: number } = {}): Promise<GeocoderHit[]> {
    const key = cacheKey(`${this.name}:search`, query.trim().toLowerCase(), limit, near ? `${near.lat.toFixed(2)},${near.lng.toFixed(2)}` : '');
    const cached = await this.options.cache.get<GeocoderHit[]>(key);
    if (cached) return cached;
    const hits = await this.breaker.run(() => this.askSearch(query, near, limit));
    await this.options.cache.set(key, hits, SEARCH_TTL_S);
    return hits;
  }

  async reverse(point: LatLng): Promise<GeocoderHit | null> {
    const key = cacheKey(`${this.name}:reverse`, point.lat.toFixed(5), point.lng.toFixed(5));
    const cached = await this.options.cache.get<{ hit: GeocoderHit | null }>(key);
    if (cached) return cached.hit;
    const hit = await this.breaker.run(() => this.askReverse(point));
    await this.options.cache.set(key, { hit }, REVERSE_TTL_S);
    return hit;
  }
}
