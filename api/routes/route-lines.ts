/**
 * The road line between a delivery's stops, for the tracking page and the driver's job, and the ETA
 * from the driver's last position to their next stop. The line is drawn only when a router measured
 * it; otherwise the answer says the distance is the straight-line estimate.
 */
import type { Middleware } from 'koa';
import type { TripMeasurer } from '../../adapters/geo/router.js';
import type { DeliveryStore } from '../../db/deliveries.js';
import type { DriverStore } from '../../db/drivers.js';
import { STOP_OVERHEAD_MINUTES, travelMinutes, type LatLng } from '../../domain/geo.js';
import type { DeliveryStatus } from '../../domain/status.js';
import { NotFoundError } from '../errors.js';
import { route, type Resource, type SignIn } from '../route.js';
import type { DeliveriesService } from '../services/deliveries-service.js';
import type { AppState } from '../types.js';

/** When the driver should reach their next stop, from where they last reported. */
export interface DriverEta {
  to: 'pickup' | 'dropoff';
  at: string;
  distanceKm: number;
  estimated: boolean;
}

export interface RouteLine {
  points: LatLng[] | null;
  distanceKm: number;
  durationMin: number | null;
  estimated: boolean;
  driverEta: DriverEta | null;
}

interface RoutedDelivery {
  status: DeliveryStatus;
  driverId: string | null;
  pickup: LatLng;
  dropoff: LatLng;
}

const point = (p: LatLng): LatLng => ({ lat: p.lat, lng: p.lng });

type Positions = Pick<DriverStore, 'position'>;

/** Router results are cached by ~10 m, so a page asking as the driver moves costs one router call per move. */
async function etaFromDriver(trips: TripMeasurer, drivers: Positions, d: RoutedDelivery): Promise<DriverEta | null> {
  const to = ['ASSIGNED', 'AT_PICKUP'].includes(d.status) ? 'pickup' : ['IN_TRANSIT', 'AT_DROPOFF'].includes(d.status) ? 'dropoff' : null;
  if (!to || !d.driverId) return null;
  const driver = await drivers.position(d.driverId);
  if (!driver) return null;
  const trip = await trips.trip(driver, point(d[to]));
  const now = new Date();
  const minutes = trip.durationMin !== null ? Math.ceil(trip.durationMin) + STOP_OVERHEAD_MINUTES : travelMinutes(trip.distanceKm, now.toISOString());
  return { to, at: new Date(now.getTime() + minutes * 60_000).toISOString(), distanceKm: trip.distanceKm, estimated: trip.estimated };
}

async function lineFor(trips: TripMeasurer, drivers: Positions, d: RoutedDelivery): Promise<RouteLine> {
  const [trip, driverEta] = await Promise.all([trips.trip(point(d.pickup), point(d.dropoff)), etaFromDriver(trips, drivers, d)]);
  return {
    points: trip.points && trip.points.length > 1 ? trip.points : null,
    distanceKm: trip.distanceKm,
    durationMin: trip.durationMin,
    estimated: trip.estimated,
    driverEta,
  };
}

export function deliveryRouteLineRoutes(deps: { deliveries: DeliveriesService; drivers: Positions; trips: TripMeasurer; auth: SignIn }): Resource {
  return {
    prefix: '/deliveries',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/deliveries/:id/route',
        summary: 'The road line from pickup to drop-off, when a router gave one, and the ETA from the driver’s last position',
        roles: 'user', who: 'scoped', ids: { id: 'delivery' }, ok: 200,
        handler: async (ctx) => {
          // Scoped like every delivery read: whoever may not see the delivery gets a 404.
          const delivery = await deps.deliveries.get(ctx.state.user!, ctx.params.id!, false);
          return lineFor(deps.trips, deps.drivers, { status: delivery.status, driverId: delivery.driver?.id ?? null, pickup: delivery.pickup, dropoff: delivery.dropoff });
        },
      }),
    ],
  };
}

export function trackingRouteLineRoutes(deps: { deliveries: Pick<DeliveryStore, 'routeOf'>; drivers: Positions; trips: TripMeasurer; limit: Middleware<AppState> }): Resource {
  return {
    prefix: '/track',
    use: [deps.limit],
    routes: [
      route({
        method: 'get', path: '/track/:trackingCode/route',
        summary: 'The road line of a tracked delivery, when a router gave one, and the ETA from the driver’s last position',
        roles: 'anyone', ok: 200,
        handler: async (ctx) => {
          const code = (ctx.params.trackingCode ?? '').toUpperCase();
          const row = /^[0-9A-Z]{16}$/.test(code) ? await deps.deliveries.routeOf(code) : null;
          if (!row) throw new NotFoundError('tracking code');
          ctx.set('Cache-Control', 'no-store');
          return lineFor(deps.trips, deps.drivers, row);
        },
      }),
    ],
  };
}
