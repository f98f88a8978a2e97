import { createDriverSchema, dutySchema, locationBodySchema, type LocationPing } from '../../domain/schemas.js';
import { ForbiddenError } from '../errors.js';
import { route, type Resource, type SignIn } from '../route.js';
import type { DriversService, NewDriver } from '../services/drivers-service.js';
import type { AppState } from '../types.js';
import { assertClientTimes, clientTimeProblem } from '../validate.js';

const ownDriverId = (state: AppState): string => {
  if (!state.user?.driverId) throw new ForbiddenError('no driver profile on this account', 'NO_DRIVER_PROFILE');
  return state.user.driverId;
};

/**
 * The location route's work once its body is parsed, wherever it is served (here, or by
 * api/location-fast-path.ts): pings from a future clock are refused, the rest recorded and broadcast.
 */
export function receivePings(drivers: DriversService, driverId: string, body: LocationPing | LocationPing[]): Promise<{ accepted: number }> {
  const pings = Array.isArray(body) ? body : [body];
  // A ping from the future would pin the driver's "latest" position until that time comes.
  const now = Date.now();
  assertClientTimes(pings.map((p, i) => clientTimeProblem(p.recordedAt, Array.isArray(body) ? `body.${i}.recordedAt` : 'body.recordedAt', now, Infinity)));
  return drivers.recordLocation(driverId, pings);
}

/** Where drivers send their pings, under /api/v1 (also served outside the app: api/location-fast-path.ts). */
export const LOCATION_ROUTE = '/drivers/me/location';

export function driverRoutes(deps: { drivers: DriversService; auth: SignIn }): Resource {
  const { drivers } = deps;
  return {
    prefix: '/drivers',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/drivers', summary: 'Drivers with duty, position and load', roles: ['dispatcher', 'admin'], ok: 200,
        handler: async () => ({ items: await drivers.list() }),
      }),
      route({
        method: 'post', path: '/drivers', summary: 'Create a driver account', roles: ['dispatcher', 'admin'], body: createDriverSchema, ok: 201,
        handler: (ctx) => drivers.create(ctx.state.body as NewDriver),
      }),
      route({
        method: 'put', path: '/drivers/me/duty', summary: 'Go on or off duty', roles: ['driver'], body: dutySchema, ok: 200,
        handler: (ctx) => drivers.setDuty(ownDriverId(ctx.state), ctx.state.body.onDuty),
      }),
      route({
        method: 'post', path: LOCATION_ROUTE, summary: 'One location ping or a batch', roles: ['driver'], body: locationBodySchema, ok: 202,
        handler: (ctx) => receivePings(drivers, ownDriverId(ctx.state), ctx.state.body),
      }),
    ],
  };
}
