/** The Nominatim API (`/search`, `/reverse`, `format=jsonv2`), also spoken by self-hosted and commercial copies. */
import { z } from 'zod';
import { isValidLatLng, type LatLng } from '../../domain/geo.js';
import type { GeocoderHit } from './geocoder.js';
import { HttpGeocoder, type HttpGeocoderOptions } from './http-geocoder.js';
import { ProviderError } from './provider-http.js';

const place = z.object({ lat: z.string(), lon: z.string(), display_name: z.string().min(1) });
const searchAnswer = z.array(place);
const reverseAnswer = z.union([place, z.object({ error: z.string() })]);

/** The bias box around `near`, in degrees (about 20 km). */
const NEAR_BOX_DEG = 0.2;

export type NominatimOptions = HttpGeocoderOptions;

function hitOf(p: z.infer<typeof place>): GeocoderHit | null {
  const point = { lat: Number(p.lat), lng: Number(p.lon) };
  return isValidLatLng(point) ? { label: p.display_name, ...point } : null;
}

export class NominatimGeocoder extends HttpGeocoder {
  constructor(options: NominatimOptions) {
    super('nominatim', options);
  }

  protected async askSearch(query: string, near: LatLng | undefined, limit: number): Promise<GeocoderHit[]> {
    const url = new URL(`${this.base}/search`);
    url.search = new URLSearchParams({ q: query, format: 'jsonv2', limit: String(limit), addressdetails: '0' }).toString();
    if (near) {
      // A bias, not a bound: a far address typed in full is still found.
      const d = NEAR_BOX_DEG;
      url.searchParams.set('viewbox', [near.lng - d, near.lat + d, near.lng + d, near.lat - d].map((n) => n.toFixed(4)).join(','));
      url.searchParams.set('bounded', '0');
    }
    const parsed = searchAnswer.safeParse(await this.get(url));
    if (!parsed.success) throw new ProviderError(this.name, 'bad_answer', 'not a jsonv2 search answer');
    return parsed.data.map(hitOf).filter((h): h is GeocoderHit => h !== null);
  }

  protected async askReverse(point: LatLng): Promise<GeocoderHit | null> {
    const url = new URL(`${this.base}/reverse`);
    url.search = new URLSearchParams({ lat: String(point.lat), lon: String(point.lng), format: 'jsonv2', zoom: '18' }).toString();
    // Nominatim answers "Unable to geocode" with a 200 (some copies with a 404): nothing there, not a fault.
    const parsed = reverseAnswer.safeParse(await this.get(url, (status) => status === 404));
    if (!parsed.success) throw new ProviderError(this.name, 'bad_answer', 'not a jsonv2 reverse answer');
    return 'error' in parsed.data ? null : hitOf(parsed.data);
  }
}
