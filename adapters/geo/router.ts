/** The road router port, and the trip measure every caller uses: the router's answer or the flagged estimate. */
import { roadDistanceKm, type LatLng } from '../../domain/geo.js';

export interface RoadRoute {
  distanceKm: number;
  durationMin: number;
  /** The line to draw, simplified by the router. */
  points: LatLng[];
}

export interface RoadRouter {
  readonly name: string;
  /** The driving route, or null when the router knows no road between the two points. */
  route(from: LatLng, to: LatLng): Promise<RoadRoute | null>;
  /** From each source to one destination, in one call; null where there is no road. */
  table(sources: LatLng[], destination: LatLng): Promise<Array<{ distanceKm: number; durationMin: number } | null>>;
}

/** A distance for a quote, an offer or an ETA; `estimated` when it is the straight-line guess. */
export interface TripMeasure {
  distanceKm: number;
  durationMin: number | null;
  estimated: boolean;
  points: LatLng[] | null;
  /** Why the estimate was used, for the timeline. */
  reason?: 'no_router' | 'router_failed' | 'no_road';
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function estimatedTrip(from: LatLng, to: LatLng, reason: NonNullable<TripMeasure['reason']>): TripMeasure {
  return { distanceKm: roadDistanceKm(from, to), durationMin: null, estimated: true, points: null, reason };
}

export interface TripMeasurer {
  trip(from: LatLng, to: LatLng): Promise<TripMeasure>;
  /** Distances to `destination` from each source; one router call for all of them. */
  toOne(sources: LatLng[], destination: LatLng): Promise<TripMeasure[]>;
}

/** Never throws for a provider fault: the straight-line estimate answers instead, flagged. */
export function createTripMeasurer(router: RoadRouter | undefined, onFailure: (err: Error) => void = () => {}): TripMeasurer {
  return {
    async trip(from, to) {
      if (!router) return estimatedTrip(from, to, 'no_router');
      try {
        const route = await router.route(from, to);
        if (!route) return estimatedTrip(from, to, 'no_road');
        return { distanceKm: round1(route.distanceKm), durationMin: Math.round(route.durationMin * 10) / 10, estimated: false, points: route.points };
      } catch (err) {
        onFailure(err as Error);
        return estimatedTrip(from, to, 'router_failed');
      }
    },
    async toOne(sources, destination) {
      if (sources.length === 0) return [];
      if (!router) return sources.map((s) => estimatedTrip(s, destination, 'no_router'));
      try {
        const cells = await router.table(sources, destination);
        return sources.map((s, i) => {
          const cell = cells[i];
          return cell
            ? { distanceKm: round1(cell.distanceKm), durationMin: Math.round(cell.durationMin * 10) / 10, estimated: false, points: null }
            : estimatedTrip(s, destination, 'no_road');
        });
      } catch (err) {
        onFailure(err as Error);
        return sources.map((s) => estimatedTrip(s, destination, 'router_failed'));
      }
    },
  };
}
