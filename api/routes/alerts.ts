import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { AlertStore } from '../../db/alerts.js';
import type { AlertState } from '../../domain/alerts.js';
import { listAlertsQuerySchema } from '../../domain/schemas.js';
import { requireRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import type { AppState } from '../types.js';
import { isUuid, noBodySchema, validate } from '../validate.js';

registerOperations([
  { method: 'get', path: '/alerts', summary: 'Alerts by state (open by default), most urgent and newest first', roles: 'dispatcher, admin', query: listAlertsQuerySchema, ok: 200 },
  { method: 'post', path: '/alerts/{id}/acknowledge', summary: 'Acknowledge an alert: who and when are kept; again keeps the first', roles: 'dispatcher, admin', body: noBodySchema, bodyOptional: true, ok: 200 },
]);

export function alertRoutes(deps: { alerts: AlertStore; live?: Pick<LivePublisher, 'publishAlert'>; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/alerts' });
  router.use(deps.auth, requireRole('dispatcher', 'admin'));

  router.get('/', validate('query', listAlertsQuerySchema), async (ctx) => {
    const query = ctx.state.query as { state: AlertState; limit: number; deliveryId?: string };
    ctx.body = { items: await deps.alerts.list(query.state, query.limit, query.deliveryId) };
  });

  router.post('/:id/acknowledge', validate('body', noBodySchema), async (ctx) => {
    const id = ctx.params.id ?? '';
    const user = ctx.state.user!;
    const alert = isUuid(id) ? await deps.alerts.acknowledge(id, { id: user.id, name: user.name }) : null;
    if (!alert) throw new NotFoundError('alert');
    // Other dispatchers' boards move it out of "open" too; the answer does not wait on Redis.
    deps.live?.publishAlert(alert).catch((err: Error) => ctx.state.log?.warn({ err: err.message, alertId: id }, 'alert change not pushed'));
    ctx.body = alert;
  });

  return router;
}
