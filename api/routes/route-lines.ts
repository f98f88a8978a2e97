/**
 * The road line between a delivery's stops, for the tracking page and the driver's job. Drawn only
 * when a router measured it; otherwise the answer says the distance is the straight-line estimate.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { TripMeasurer } from '../../activities/geo/router.js';
import { DeliveryRow } from '../../db/models.js';
import type { LatLng } from '../../domain/geo.js';
import { NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import type { DeliveriesService } from '../services/deliveries-service.js';
import type { AppState } from '../types.js';
import { isUuid } from '../validate.js';

registerOperations([
  { method: 'get', path: '/deliveries/{id}/route', summary: 'The road line from pickup to drop-off, when a router gave one', roles: 'scoped', ok: 200 },
  { method: 'get', path: '/track/{trackingCode}/route', summary: 'The road line of a tracked delivery, when a router gave one', roles: 'anyone', ok: 200 },
]);

export interface RouteLine {
  points: LatLng[] | null;
  distanceKm: number;
  durationMin: number | null;
  estimated: boolean;
}

async function lineBetween(trips: TripMeasurer, from: LatLng, to: LatLng): Promise<RouteLine> {
  const trip = await trips.trip({ lat: from.lat, lng: from.lng }, { lat: to.lat, lng: to.lng });
  return { points: trip.points && trip.points.length > 1 ? trip.points : null, distanceKm: trip.distanceKm, durationMin: trip.durationMin, estimated: trip.estimated };
}

export function deliveryRouteLineRoutes(deps: { deliveries: DeliveriesService; trips: TripMeasurer; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/deliveries' });
  router.use(deps.auth);
  router.get('/:id/route', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!isUuid(id)) throw new NotFoundError('delivery');
    // Scoped like every delivery read: whoever may not see the delivery gets a 404.
    const delivery = await deps.deliveries.get(ctx.state.user!, id, false);
    ctx.body = await lineBetween(deps.trips, delivery.pickup, delivery.dropoff);
  });
  return router;
}

export function trackingRouteLineRoutes(deps: { trips: TripMeasurer; limit: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.use(deps.limit);
  router.get('/:trackingCode/route', async (ctx) => {
    const code = (ctx.params.trackingCode ?? '').toUpperCase();
    const row = /^[0-9A-Z]{16}$/.test(code) ? await DeliveryRow.findOne({ where: { trackingCode: code }, attributes: ['pickup', 'dropoff'] }) : null;
    if (!row) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await lineBetween(deps.trips, row.pickup, row.dropoff);
  });
  return router;
}
