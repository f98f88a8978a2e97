/** The Nominatim API (`/search`, `/reverse`, `format=jsonv2`), also spoken by self-hosted and commercial copies. */
import { z } from 'zod';
import { isValidLatLng, type LatLng } from '../../domain/geo.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { cacheKey, type GeoCache } from './cache.js';
import type { Geocoder, GeocoderHit } from './geocoder.js';
import { createProviderHttp, ProviderError, type ProviderHttpOptions } from './provider-http.js';

const place = z.object({ lat: z.string(), lon: z.string(), display_name: z.string().min(1) });
const searchAnswer = z.array(place);
const reverseAnswer = z.union([place, z.object({ error: z.string() })]);

/** Search results change rarely; a week keeps repeated look-ups off the provider. */
const SEARCH_TTL_S = 7 * 24 * 3600;
const REVERSE_TTL_S = 30 * 24 * 3600;
/** The bias box around `near`, in degrees (about 20 km). */
const NEAR_BOX_DEG = 0.2;

export interface NominatimOptions extends Omit<ProviderHttpOptions, 'provider'> {
  baseUrl: string;
  cache: GeoCache;
  breaker?: { failureThreshold?: number; cooldownMs?: number; now?: () => number; onChange?: (state: BreakerState, name: string) => void };
}

function hitOf(p: z.infer<typeof place>): GeocoderHit | null {
  const point = { lat: Number(p.lat), lng: Number(p.lon) };
  return isValidLatLng(point) ? { label: p.display_name, ...point } : null;
}

export class NominatimGeocoder implements Geocoder {
  readonly name = 'nominatim';
  readonly breaker: CircuitBreaker;
  private readonly get;
  private readonly base: string;

  constructor(private readonly options: NominatimOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.get = createProviderHttp({ ...options, provider: this.name });
    this.breaker = new CircuitBreaker({ name: this.name, ...options.breaker });
  }

  async search(query: string, { near, limit = 5 }: { near?: LatLng; limit?: number } = {}): Promise<GeocoderHit[]> {
    const key = cacheKey('nominatim:search', query.trim().toLowerCase(), limit, near ? `${near.lat.toFixed(2)},${near.lng.toFixed(2)}` : '');
    const cached = await this.options.cache.get<GeocoderHit[]>(key);
    if (cached) return cached;
    const url = new URL(`${this.base}/search`);
    url.search = new URLSearchParams({ q: query, format: 'jsonv2', limit: String(limit), addressdetails: '0' }).toString();
    if (near) {
      // A bias, not a bound: a far address typed in full is still found.
      const d = NEAR_BOX_DEG;
      url.searchParams.set('viewbox', [near.lng - d, near.lat + d, near.lng + d, near.lat - d].map((n) => n.toFixed(4)).join(','));
      url.searchParams.set('bounded', '0');
    }
    const hits = await this.breaker.run(async () => {
      const parsed = searchAnswer.safeParse(await this.get(url));
      if (!parsed.success) throw new ProviderError(this.name, 'bad_answer', 'not a jsonv2 search answer');
      return parsed.data.map(hitOf).filter((h): h is GeocoderHit => h !== null);
    });
    await this.options.cache.set(key, hits, SEARCH_TTL_S);
    return hits;
  }

  async reverse(point: LatLng): Promise<GeocoderHit | null> {
    const key = cacheKey('nominatim:reverse', point.lat.toFixed(5), point.lng.toFixed(5));
    const cached = await this.options.cache.get<{ hit: GeocoderHit | null }>(key);
    if (cached) return cached.hit;
    const url = new URL(`${this.base}/reverse`);
    url.search = new URLSearchParams({ lat: String(point.lat), lon: String(point.lng), format: 'jsonv2', zoom: '18' }).toString();
    const hit = await this.breaker.run(async () => {
      // Nominatim answers "Unable to geocode" with a 200 (some copies with a 404): nothing there, not a fault.
      const parsed = reverseAnswer.safeParse(await this.get(url, (status) => status === 404));
      if (!parsed.success) throw new ProviderError(this.name, 'bad_answer', 'not a jsonv2 reverse answer');
      return 'error' in parsed.data ? null : hitOf(parsed.data);
    });
    await this.options.cache.set(key, { hit }, REVERSE_TTL_S);
    return hit;
  }
}
