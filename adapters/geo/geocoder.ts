/** The geocoder port: what address search needs from any provider (Nominatim today). */
import type { LatLng } from '../../domain/geo.js';

export interface GeocoderHit extends LatLng {
  label: string;
}

export interface Geocoder {
  readonly name: string;
  /** Up to `limit` places for free text, those near `near` first when given. */
  search(query: string, options?: { near?: LatLng; limit?: number }): Promise<GeocoderHit[]>;
  /** The address at a point, or null when the provider knows none there. */
  reverse(point: LatLng): Promise<GeocoderHit | null>;
}
