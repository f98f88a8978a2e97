import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { loadTrackingView } from '../../db/tracking.js';
import { NotFoundError } from '../errors.js';
import type { AppState } from '../types.js';

export function trackingRoutes(deps: { sequelize: Sequelize }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.get('/:trackingCode', async (ctx) => {
    const found = await loadTrackingView(deps.sequelize, { trackingCode: ctx.params.trackingCode ?? '' });
    if (!found) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = found.view;
  });
  return router;
}
