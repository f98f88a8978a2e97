import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { AlertStore } from '../../db/alerts.js';
import { listAlertsQuerySchema } from '../../domain/schemas.js';
import { NotFoundError } from '../errors.js';
import { route, type Resource, type SignIn } from '../route.js';
import { isUuid, noBodySchema } from '../validate.js';

export function alertRoutes(deps: { alerts: AlertStore; live?: Pick<LivePublisher, 'publishAlert'>; auth: SignIn }): Resource {
  return {
    prefix: '/alerts',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/alerts', summary: 'Alerts by state (open by default), most urgent and newest first',
        roles: ['dispatcher', 'admin'], query: listAlertsQuerySchema, ok: 200,
        handler: async (ctx) => {
          const query = ctx.state.query;
          return { items: await deps.alerts.list(query.state, query.limit, query.deliveryId) };
        },
      }),
      route({
        method: 'post', path: '/alerts/:id/acknowledge', summary: 'Acknowledge an alert: who and when are kept; again keeps the first',
        roles: ['dispatcher', 'admin'], body: noBodySchema, bodyOptional: true, ok: 200,
        handler: async (ctx) => {
          const id = ctx.params.id ?? '';
          const user = ctx.state.user!;
          const alert = isUuid(id) ? await deps.alerts.acknowledge(id, { id: user.id, name: user.name }) : null;
          if (!alert) throw new NotFoundError('alert');
          // Other dispatchers' boards move it out of "open" too; the answer does not wait on Redis.
          deps.live?.publishAlert(alert).catch((err: Error) => ctx.state.log?.warn({ err: err.message, alertId: id }, 'alert change not pushed'));
          return alert;
        },
      }),
    ],
  };
}
