/** The OSRM HTTP API (`/route/v1/driving`, `/table/v1/driving`), cached by coordinates rounded to ~10 m. */
import { z } from 'zod';
import { isValidLatLng, type LatLng } from '../../domain/geo.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { cacheKey, type GeoCache } from './cache.js';
import type { RoadRoute, RoadRouter } from './router.js';
import { createProviderHttp, ProviderError, type ProviderHttpOptions } from './provider-http.js';

const routeAnswer = z.object({
  code: z.string(),
  routes: z
    .array(
      z.object({
        distance: z.number().nonnegative(),
        duration: z.number().nonnegative(),
        geometry: z.object({ type: z.literal('LineString'), coordinates: z.array(z.tuple([z.number(), z.number()])) }).optional(),
      }),
    )
    .optional(),
});
const tableAnswer = z.object({
  code: z.string(),
  durations: z.array(z.array(z.number().nonnegative().nullable())).optional(),
  distances: z.array(z.array(z.number().nonnegative().nullable())).optional(),
});

/** Roads change slowly; a day keeps a busy pickup's table off the router. */
const TTL_S = 24 * 3600;
/** Four decimals is about 11 m: a driver standing still asks once. */
const rounded = (p: LatLng) => `${p.lng.toFixed(4)},${p.lat.toFixed(4)}`;
/** Answers the router gives when it found no road, which are not faults. */
const NO_ROAD = new Set(['NoRoute', 'NoSegment']);

export interface OsrmOptions extends Omit<ProviderHttpOptions, 'provider'> {
  baseUrl: string;
  cache: GeoCache;
  breaker?: { failureThreshold?: number; cooldownMs?: number; now?: () => number; onChange?: (state: BreakerState, name: string) => void };
}

export class OsrmRouter implements RoadRouter {
  readonly name = 'osrm';
  readonly breaker: CircuitBreaker;
  private readonly get;
  private readonly base: string;

  constructor(private readonly options: OsrmOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.get = createProviderHttp({ ...options, provider: this.name });
    this.breaker = new CircuitBreaker({ name: this.name, ...options.breaker });
  }

  async route(from: LatLng, to: LatLng): Promise<RoadRoute | null> {
    const coords = `${rounded(from)};${rounded(to)}`;
    const key = cacheKey('osrm:route', coords);
    const cached = await this.options.cache.get<{ route: RoadRoute | null }>(key);
    if (cached) return cached.route;
    const url = new URL(`${this.base}/route/v1/driving/${coords}`);
    url.search = 'overview=simplified&geometries=geojson&alternatives=false&steps=false';
    const route = await this.breaker.run(async () => {
      // OSRM answers "no road" with a 400 and a code: that is an answer, not a fault.
      const parsed = routeAnswer.safeParse(await this.get(url, (status) => status === 400));
      if (!parsed.success) throw new ProviderError(this.name, 'bad_answer', 'not an OSRM route answer');
      const { code, routes } = parsed.data;
      if (NO_ROAD.has(code)) return null;
      const best = routes?.[0];
      if (code !== 'Ok' || !best) throw new ProviderError(this.name, 'rejected', `code ${code}`);
      const points = (best.geometry?.coordinates ?? []).map(([lng, lat]) => ({ lat, lng })).filter(isValidLatLng);
      return { distanceKm: best.distance / 1000, durationMin: best.duration / 60, points };
    });
    await this.options.cache.set(key, { route }, TTL_S);
    return route;
  }

  async table(sources: LatLng[], destination: LatLng): Promise<Array<{ distanceKm: number; durationMin: number } | null>> {
    if (sources.length === 0) return [];
    const coords = [...sources, destination].map(rounded).join(';');
    const key = cacheKey('osrm:table', coords);
    const cached = await this.options.cache.get<Array<{ distanceKm: number; durationMin: number } | null>>(key);
    if (cached) return cached;
    const url = new URL(`${this.base}/table/v1/driving/${coords}`);
    url.search = new URLSearchParams({
      sources: sources.map((_, i) => i).join(';'),
      destinations: String(sources.length),
      annotations: 'duration,distance',
    }).toString();
    const cells = await this.breaker.run(async () => {
      const parsed = tableAnswer.safeParse(await this.get(url));
      if (!parsed.success || parsed.data.code !== 'Ok' || parsed.data.durations?.length !== sources.length) {
        throw new ProviderError(this.name, 'bad_answer', 'not an OSRM table answer for these points');
      }
      const { durations, distances } = parsed.data;
      return durations.map((row, i) => {
        const duration = row[0];
        const distance = distances?.[i]?.[0];
        return duration == null || distance == null ? null : { distanceKm: distance / 1000, durationMin: duration / 60 };
      });
    });
    await this.options.cache.set(key, cells, TTL_S);
    return cells;
  }
}
