/** Address search and the address book: the geocoder when there is one, the user's own and sample places always. */
import type { Logger } from 'pino';
import type { Geocoder } from '../../adapters/geo/geocoder.js';
import type { PlaceOwner, PlaceStore } from '../../db/places.js';
import { haversineKm, type LatLng } from '../../domain/geo.js';
import { matchesQuery, type GeocodeItem, type GeocodeReply, type GeocoderStatus } from '../../domain/places.js';
import type { AuthUser } from '../types.js';

const MAX_ITEMS = 10;
const GEOCODER_ITEMS = 6;
/** A pin dropped this close to a known place is named after it when no geocoder can name it. */
const NEAR_KNOWN_KM = 1;

export interface ReverseReply {
  label: string;
  source: GeocodeItem['source'] | 'pin';
  geocoder: GeocoderStatus;
}

const ownerOf = (user: AuthUser): PlaceOwner => ({ userId: user.id });

export class PlacesService {
  constructor(private readonly deps: { store: PlaceStore; geocoder?: Geocoder; logger: Pick<Logger, 'warn'> }) {}

  /** Saved and recent places first (they are what people send to again), then the geocoder's, or the samples without one. */
  async search(user: AuthUser, query: string, near?: LatLng): Promise<GeocodeReply> {
    const [local, geo] = await Promise.all([this.localMatches(user, query), this.geocode(query, near)]);
    const items: GeocodeItem[] = [...local.own, ...geo.items];
    // Sample places are the demo city's stand-in for a geocoder: shown only when none answered.
    if (geo.status !== 'used') items.push(...local.samples);
    const seen = new Set<string>();
    const unique = items.filter((item) => {
      const key = `${item.label.toLowerCase()}|${item.lat.toFixed(4)},${item.lng.toFixed(4)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { items: unique.slice(0, MAX_ITEMS), geocoder: geo.status };
  }

  /** A name for a dropped pin: the geocoder's address, else the nearest known place, else a plain description. */
  async reverse(user: AuthUser, point: LatLng): Promise<ReverseReply> {
    let status: GeocoderStatus = 'none';
    if (this.deps.geocoder) {
      try {
        const hit = await this.deps.geocoder.reverse(point);
        if (hit) return { label: hit.label, source: 'geocoder', geocoder: 'used' };
        status = 'used';
      } catch (err) {
        status = 'unavailable';
        this.deps.logger.warn({ err: (err as Error).message }, 'reverse geocoding failed; naming the pin from known places');
      }
    }
    const known = [...(await this.deps.store.list(ownerOf(user))), ...(await this.deps.store.samples())];
    const nearest = known.map((p) => ({ p, km: haversineKm(p, point) })).sort((a, b) => a.km - b.km)[0];
    if (nearest && nearest.km <= NEAR_KNOWN_KM) {
      const metres = Math.round((nearest.km * 1000) / 10) * 10;
      return { label: metres < 30 ? nearest.p.address : `${metres} m from ${nearest.p.address}`, source: 'pin', geocoder: status };
    }
    return { label: 'Pinned point on the map', source: 'pin', geocoder: status };
  }

  private async localMatches(user: AuthUser, query: string): Promise<{ own: GeocodeItem[]; samples: GeocodeItem[] }> {
    const owner = ownerOf(user);
    const [saved, recent, samples] = await Promise.all([this.deps.store.list(owner), this.deps.store.recent(owner), this.deps.store.samples()]);
    const contact = (p: { contactName: string | null; contactPhone: string | null }) => ({
      ...(p.contactName ? { contactName: p.contactName } : {}),
      ...(p.contactPhone ? { contactPhone: p.contactPhone } : {}),
    });
    return {
      own: [
        ...saved.filter((p) => matchesQuery(query, p.label, p.address)).map((p): GeocodeItem => ({ label: `${p.label} — ${p.address}`, lat: p.lat, lng: p.lng, source: 'saved', ...contact(p) })),
        ...recent.filter((p) => matchesQuery(query, p.address)).map((p): GeocodeItem => ({ label: p.address, lat: p.lat, lng: p.lng, source: 'recent', ...contact(p) })),
      ],
      samples: samples
        .filter((p) => matchesQuery(query, p.label, p.address))
        .map((p): GeocodeItem => ({ label: `${p.label} — ${p.address}`, lat: p.lat, lng: p.lng, source: 'sample' })),
    };
  }

  private async geocode(query: string, near?: LatLng): Promise<{ items: GeocodeItem[]; status: GeocoderStatus }> {
    if (!this.deps.geocoder) return { items: [], status: 'none' };
    try {
      const hits = await this.deps.geocoder.search(query, { near, limit: GEOCODER_ITEMS });
      return { items: hits.map((h) => ({ ...h, source: 'geocoder' as const })), status: 'used' };
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'geocoder unavailable; searching known places only');
      return { items: [], status: 'unavailable' };
    }
  }
}
