/** Addresses people pick instead of typing coordinates: search results, saved places, sample places. */
import { z } from 'zod';
import type { LatLng } from './geo.js';

/** Where a suggestion came from; the pages say when none came from a geocoder. */
export type PlaceSource = 'saved' | 'recent' | 'sample' | 'geocoder';
export const PLACE_SOURCES = ['saved', 'recent', 'sample', 'geocoder'] as const satisfies readonly PlaceSource[];

export interface GeocodeItem extends LatLng {
  label: string;
  source: PlaceSource;
  contactName?: string;
  contactPhone?: string;
}

/** Whether the outside geocoder answered this search: `none` means no geocoder is configured. */
export type GeocoderStatus = 'used' | 'unavailable' | 'none';

export interface GeocodeReply {
  items: GeocodeItem[];
  geocoder: GeocoderStatus;
}

export interface SavedPlace extends LatLng {
  id: string;
  label: string;
  address: string;
  contactName: string | null;
  contactPhone: string | null;
  createdAt: string;
}

export interface RecentAddress extends LatLng {
  address: string;
  contactName: string | null;
  contactPhone: string | null;
  usedAt: string;
}

const latLngText = z
  .string()
  .regex(/^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/, 'lat,lng in decimal degrees')
  .refine((v) => {
    const [lat, lng] = v.split(',').map(Number);
    return Math.abs(lat!) <= 90 && Math.abs(lng!) <= 180;
  }, 'lat,lng in range');

export const geocodeQuerySchema = z.strictObject({
  q: z.string().trim().min(2).max(200),
  near: latLngText.optional(),
});
export type GeocodeQuery = z.infer<typeof geocodeQuerySchema>;

export const reverseGeocodeQuerySchema = z.strictObject({
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
});

// No control characters: labels reach every page and notification.
const text = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\p{Cc}]*$/u, 'no control characters');

export const createPlaceSchema = z.strictObject({
  label: text(60),
  address: text(300),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  contactName: text(120).optional(),
  contactPhone: z.string().trim().regex(/^\+?[0-9 ()./-]{3,30}$/, 'a phone number').optional(),
});
export type CreatePlaceBody = z.infer<typeof createPlaceSchema>;

export const parseLatLng = (text: string): LatLng => {
  const [lat, lng] = text.split(',').map(Number);
  return { lat: lat!, lng: lng! };
};

/** Places in the demo city, offered when no geocoder is configured (seeded by `db/seed.ts`). */
export const SAMPLE_PLACES: ReadonlyArray<{ label: string; address: string; lat: number; lng: number }> = [
  { label: 'Bakery Rosenthaler', address: 'Rosenthaler Straße 1, 10119 Berlin', lat: 52.5291, lng: 13.4015 },
  { label: 'Alexanderplatz', address: 'Alexanderplatz 1, 10178 Berlin', lat: 52.5219, lng: 13.4132 },
  { label: 'Hauptbahnhof', address: 'Europaplatz 1, 10557 Berlin', lat: 52.5251, lng: 13.3694 },
  { label: 'Brandenburger Tor', address: 'Pariser Platz, 10117 Berlin', lat: 52.5163, lng: 13.3777 },
  { label: 'Checkpoint Charlie', address: 'Friedrichstraße 43, 10117 Berlin', lat: 52.5075, lng: 13.3904 },
  { label: 'Oranienstraße', address: 'Oranienstraße 25, 10999 Berlin', lat: 52.5005, lng: 13.4192 },
  { label: 'Elsenstraße Flats', address: 'Elsenstraße 14, 12435 Berlin', lat: 52.4887, lng: 13.4547 },
  { label: 'Kollwitzplatz Café', address: 'Kollwitzstraße 50, 10405 Berlin', lat: 52.5365, lng: 13.4177 },
  { label: 'Tempelhofer Feld', address: 'Tempelhofer Damm 1, 12101 Berlin', lat: 52.4755, lng: 13.4019 },
  { label: 'Kurfürstendamm Shop', address: 'Kurfürstendamm 21, 10719 Berlin', lat: 52.5034, lng: 13.3306 },
  { label: 'Warschauer Straße', address: 'Warschauer Straße 33, 10243 Berlin', lat: 52.5074, lng: 13.4512 },
  { label: 'Mauerpark Market', address: 'Bernauer Straße 63, 13355 Berlin', lat: 52.5428, lng: 13.4026 },
];

/** Whether every word typed appears in the label or address (case and accents ignored). */
export function matchesQuery(query: string, ...fields: string[]): boolean {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss');
  const haystack = fold(fields.join(' ')).replace(/strasse/g, 'str');
  return fold(query)
    .replace(/strasse/g, 'str')
    .replace(/str\./g, 'str')
    .split(/[\s,]+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word.replace(/\.$/, '')));
}
