import Router from '@koa/router';
import type { Middleware } from 'koa';
import { NotFoundError } from '../errors.js';
import type { TrackingReads } from '../services/tracking-reads.js';
import type { AppState } from '../types.js';

export function trackingRoutes(deps: { tracking: Pick<TrackingReads, 'json'>; limit: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.use(deps.limit);
  router.get('/:trackingCode', async (ctx) => {
    const json = await deps.tracking.json(ctx.params.trackingCode ?? '');
    if (json === null) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = json;
  });
  return router;
}
