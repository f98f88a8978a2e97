/** The Photon API (`/api`, `/reverse`, GeoJSON), a geocoder built for search-as-you-type. */
import { z } from 'zod';
import { isValidLatLng, type LatLng } from '../../domain/geo.js';
import type { GeocoderHit } from './geocoder.js';
import { HttpGeocoder, type HttpGeocoderOptions } from './http-geocoder.js';
import { ProviderError } from './provider-http.js';

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

export class PhotonGeocoder extends HttpGeocoder {
  constructor(options: HttpGeocoderOptions) {
    super('photon', options);
  }

  protected async askSearch(query: string, near: LatLng | undefined, limit: number): Promise<GeocoderHit[]> {
    const url = new URL(`${this.base}/api`);
    url.search = new URLSearchParams({ q: query, limit: String(limit), ...(near ? { lat: String(near.lat), lon: String(near.lng) } : {}) }).toString();
    return hitsOf(await this.get(url), this.name);
  }

  protected async askReverse(point: LatLng): Promise<GeocoderHit | null> {
    const url = new URL(`${this.base}/reverse`);
    url.search = new URLSearchParams({ lat: String(point.lat), lon: String(point.lng) }).toString();
    return hitsOf(await this.get(url), this.name)[0] ?? null;
  }
}
