import Router from '@koa/router';
import type { Middleware } from 'koa';
import { createDriverSchema, dutySchema, locationBodySchema, type LocationPing } from '../../domain/schemas.js';
import { requireRole } from '../auth/middleware.js';
import { ForbiddenError } from '../errors.js';
import type { DriversService, NewDriver } from '../services/drivers-service.js';
import type { AppState } from '../types.js';
import { assertClientTimes, clientTimeProblem, validate } from '../validate.js';

export function driverRoutes(deps: { drivers: DriversService; auth: Middleware<AppState> }): Router<AppState> {
  const { drivers } = deps;
  const router = new Router<AppState>({ prefix: '/api/v1/drivers' });
  router.use(deps.auth);

  const ownDriverId = (state: AppState): string => {
    if (!state.user?.driverId) throw new ForbiddenError('no driver profile on this account', 'NO_DRIVER_PROFILE');
    return state.user.driverId;
  };

  router.get('/', requireRole('dispatcher', 'admin'), async (ctx) => {
    ctx.body = { items: await drivers.list() };
  });

  router.post('/', requireRole('dispatcher', 'admin'), validate('body', createDriverSchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await drivers.create(ctx.state.body as NewDriver);
  });

  router.put('/me/duty', requireRole('driver'), validate('body', dutySchema), async (ctx) => {
    ctx.body = await drivers.setDuty(ownDriverId(ctx.state), (ctx.state.body as { onDuty: boolean }).onDuty);
  });

  router.post('/me/location', requireRole('driver'), validate('body', locationBodySchema), async (ctx) => {
    const body = ctx.state.body as LocationPing | LocationPing[];
    const pings = Array.isArray(body) ? body : [body];
    // A ping from the future would pin the driver's "latest" position until that time comes.
    const now = Date.now();
    assertClientTimes(pings.map((p, i) => clientTimeProblem(p.recordedAt, Array.isArray(body) ? `body.${i}.recordedAt` : 'body.recordedAt', now, Infinity)));
    ctx.status = 202;
    ctx.body = await drivers.recordLocation(ownDriverId(ctx.state), pings);
  });

  return router;
}
