/**
 * The road line between a delivery's stops, for the tracking page and the driver's job, and the ETA
 * from the driver's last position to their next stop. The line is drawn only when a router measured
 * it; otherwise the answer says the distance is the straight-line estimate.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { TripMeasurer } from '../../adapters/geo/router.js';
import type { DeliveryStore } from '../../db/deliveries.js';
import type { DriverStore } from '../../db/drivers.js';
import { STOP_OVERHEAD_MINUTES, travelMinutes, type LatLng } from '../../domain/geo.js';
import type { DeliveryStatus } from '../../domain/status.js';
import { NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import type { DeliveriesService } from '../services/deliveries-service.js';
import type { AppState } from '../types.js';
import { isUuid } from '../validate.js';

registerOperations([
  { method: 'get', path: '/deliveries/{id}/route', summary: 'The road line from pickup to drop-off, when a router gave one, and the ETA from the driver’s last position', roles: 'scoped', ok: 200 },
  { method: 'get', path: '/track/{trackingCode}/route', summary: 'The road line of a tracked delivery, when a router gave one, and the ETA from the driver’s last position', roles: 'anyone', ok: 200 },
]);

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

/** Router results are cached by ~10 m, so a page asking as the driver moves costs one router call per move. */
type Positions = Pick<DriverStore, 'position'>;

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

export function deliveryRouteLineRoutes(deps: { deliveries: DeliveriesService; drivers: Positions; trips: TripMeasurer; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/deliveries' });
  router.use(deps.auth);
  router.get('/:id/route', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!isUuid(id)) throw new NotFoundError('delivery');
    // Scoped like every delivery read: whoever may not see the delivery gets a 404.
    const delivery = await deps.deliveries.get(ctx.state.user!, id, false);
    ctx.body = await lineFor(deps.trips, deps.drivers, { status: delivery.status, driverId: delivery.driver?.id ?? null, pickup: delivery.pickup, dropoff: delivery.dropoff });
  });
  return router;
}

export function trackingRouteLineRoutes(deps: { deliveries: Pick<DeliveryStore, 'routeOf'>; drivers: Positions; trips: TripMeasurer; limit: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.use(deps.limit);
  router.get('/:trackingCode/route', async (ctx) => {
    const code = (ctx.params.trackingCode ?? '').toUpperCase();
    const row = /^[0-9A-Z]{16}$/.test(code) ? await deps.deliveries.routeOf(code) : null;
    if (!row) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await lineFor(deps.trips, deps.drivers, row);
  });
  return router;
}
