/** The Photon API (`/api`, `/reverse`, GeoJSON), a geocoder built for search-as-you-type. */
import { z } from 'zod';
import { isValidLatLng, type LatLng } from '../../domain/geo.js';
import { CircuitBreaker } from './breaker.js';
import { cacheKey } from './cache.js';
import type { Geocoder, GeocoderHit } from './geocoder.js';
import type { NominatimOptions } from './nominatim.js';
import { createProviderHttp, ProviderError } from './provider-http.js';

const feature = z.object({
  geometry: z.object({ coordinates: z.tuple([z.number(), z.number()]) }),
  properties: z
    .object({
      name: z.string().optional(),
      street: z.string().optional(),
      housenumber: z.string().optional(),
      postcode: z.string().optional(),
      city: z.string().optional(),
      country: z.string().optional(),
    })
    .loose(),
});
const answer = z.object({ features: z.array(feature) });
const SEARCH_TTL_S = 7 * 24 * 3600;
const REVERSE_TTL_S = 30 * 24 * 3600;

/** "Name, Street 12, 10115 City, Country" from whichever parts the feature has. */
function labelOf(p: z.infer<typeof feature>['properties']): string {
  const street = [p.street, p.housenumber].filter(Boolean).join(' ');
  const town = [p.postcode, p.city].filter(Boolean).join(' ');
  return [p.name !== p.street ? p.name : undefined, street, town, p.country].filter(Boolean).join(', ');
}

function hitsOf(body: unknown, provider: string): GeocoderHit[] {
  const parsed = answer.safeParse(body);
  if (!parsed.success) throw new ProviderError(provider, 'bad_answer', 'not a Photon GeoJSON answer');
  return parsed.data.features
    .map((f) => ({ label: labelOf(f.properties), lat: f.geometry.coordinates[1], lng: f.geometry.coordinates[0] }))
    .filter((h) => h.label !== '' && isValidLatLng(h));
}

export class PhotonGeocoder implements Geocoder {
  readonly name = 'photon';
  readonly breaker: CircuitBreaker;
  private readonly get;
  private readonly base: string;

  constructor(private readonly options: NominatimOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.get = createProviderHttp({ ...options, provider: this.name });
    this.breaker = new CircuitBreaker({ name: this.name, ...options.breaker });
  }

  async search(query: string, { near, limit = 5 }: { near?: LatLng; limit?: number } = {}): Promise<GeocoderHit[]> {
    const key = cacheKey('photon:search', query.trim().toLowerCase(), limit, near ? `${near.lat.toFixed(2)},${near.lng.toFixed(2)}` : '');
    const cached = await this.options.cache.get<GeocoderHit[]>(key);
    if (cached) return cached;
    const url = new URL(`${this.base}/api`);
    url.search = new URLSearchParams({ q: query, limit: String(limit), ...(near ? { lat: String(near.lat), lon: String(near.lng) } : {}) }).toString();
    const hits = await this.breaker.run(async () => hitsOf(await this.get(url), this.name));
    await this.options.cache.set(key, hits, SEARCH_TTL_S);
    return hits;
  }

  async reverse(point: LatLng): Promise<GeocoderHit | null> {
    const key = cacheKey('photon:reverse', point.lat.toFixed(5), point.lng.toFixed(5));
    const cached = await this.options.cache.get<{ hit: GeocoderHit | null }>(key);
    if (cached) return cached.hit;
    const url = new URL(`${this.base}/reverse`);
    url.search = new URLSearchParams({ lat: String(point.lat), lon: String(point.lng) }).toString();
    const hit = await this.breaker.run(async () => hitsOf(await this.get(url), this.name)[0] ?? null);
    await this.options.cache.set(key, { hit }, REVERSE_TTL_S);
    return hit;
  }
}
