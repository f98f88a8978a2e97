import Router from '@koa/router';
import type { Middleware } from 'koa';
import type pg from 'pg';
import { loadTrackingView } from '../../db/tracking.js';
import { NotFoundError } from '../errors.js';
import type { AppState } from '../types.js';

export function trackingRoutes(deps: { reads: pg.Pool; limit: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.use(deps.limit);
  router.get('/:trackingCode', async (ctx) => {
    const found = await loadTrackingView(deps.reads, { trackingCode: ctx.params.trackingCode ?? '' });
    if (!found) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = found.view;
  });
  return router;
}
