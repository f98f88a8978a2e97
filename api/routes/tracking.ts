import type { Middleware } from 'koa';
import { NotFoundError } from '../errors.js';
import { route, type Resource } from '../route.js';
import type { TrackingReads } from '../services/tracking-reads.js';
import type { AppState } from '../types.js';

export function trackingRoutes(deps: { tracking: Pick<TrackingReads, 'json'>; limit: Middleware<AppState> }): Resource {
  return {
    prefix: '/track',
    use: [deps.limit],
    routes: [
      route({
        method: 'get', path: '/track/:trackingCode', summary: 'Public tracking view', roles: 'anyone', ok: 200,
        handler: async (ctx) => {
          const json = await deps.tracking.json(ctx.params.trackingCode ?? '');
          if (json === null) throw new NotFoundError('tracking code');
          ctx.set('Cache-Control', 'no-store');
          // The view is kept serialised: it is sent as it is.
          ctx.type = 'application/json';
          ctx.body = json;
        },
      }),
    ],
  };
}
