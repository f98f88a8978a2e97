import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { NotificationStore } from '../../db/notifications.js';
import type { WebhookDeliveryStatus } from '../../db/webhooks.js';
import {
  createWebhookSchema,
  listNotificationsQuerySchema,
  listWebhookDeliveriesQuerySchema,
  type CreateWebhookBody,
} from '../../domain/notifications.js';
import { requireRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import type { WebhooksService } from '../services/webhooks-service.js';
import type { AppState } from '../types.js';
import { isUuid, validate } from '../validate.js';

registerOperations([
  { method: 'post', path: '/webhooks', summary: 'Register a webhook endpoint; the signing secret is shown only in this answer', roles: 'customer, admin', body: createWebhookSchema, ok: 201 },
  { method: 'get', path: '/webhooks', summary: 'Your webhook endpoints with pending and dead-lettered counts', roles: 'customer, admin', ok: 200 },
  { method: 'delete', path: '/webhooks/{id}', summary: 'Remove a webhook endpoint', roles: 'customer, admin (owner)', ok: 204 },
  { method: 'get', path: '/webhooks/{id}/deliveries', summary: 'Messages sent to an endpoint: status, attempts, last error', roles: 'customer, admin (owner)', query: listWebhookDeliveriesQuerySchema, ok: 200 },
  { method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', summary: 'Send a message again (same webhook-id)', roles: 'customer, admin (owner)', ok: 202 },
  { method: 'get', path: '/notifications', summary: 'Notifications: your own; dispatchers and admins see all', roles: 'user', query: listNotificationsQuerySchema, ok: 200 },
]);

const uuidParams = (...names: string[]): Middleware<AppState> => async (ctx, next) => {
  const params = (ctx as unknown as { params: Record<string, string | undefined> }).params;
  if (!names.every((n) => isUuid(params[n] ?? ''))) throw new NotFoundError(names.length > 1 ? 'webhook delivery' : 'webhook');
  await next();
};

export function webhookRoutes(deps: { webhooks: WebhooksService; auth: Middleware<AppState> }): Router<AppState> {
  const { webhooks } = deps;
  const router = new Router<AppState>({ prefix: '/api/v1/webhooks' });
  router.use(deps.auth, requireRole('customer', 'admin'));

  router.post('/', validate('body', createWebhookSchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await webhooks.create(ctx.state.user!, ctx.state.body as CreateWebhookBody);
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: await webhooks.list(ctx.state.user!) };
  });

  router.delete('/:id', uuidParams('id'), async (ctx) => {
    await webhooks.remove(ctx.state.user!, ctx.params.id!);
    ctx.status = 204;
  });

  router.get('/:id/deliveries', uuidParams('id'), validate('query', listWebhookDeliveriesQuerySchema), async (ctx) => {
    const query = ctx.state.query as { status?: WebhookDeliveryStatus; limit: number };
    ctx.body = { items: await webhooks.deliveries(ctx.state.user!, ctx.params.id!, query) };
  });

  router.post('/:id/deliveries/:deliveryId/redeliver', uuidParams('id', 'deliveryId'), async (ctx) => {
    ctx.status = 202;
    ctx.body = await webhooks.redeliver(ctx.state.user!, ctx.params.id!, ctx.params.deliveryId!);
  });

  return router;
}

export function notificationRoutes(deps: { notifications: NotificationStore; auth: Middleware<AppState> }): Router<AppState> {
  const { notifications } = deps;
  const router = new Router<AppState>({ prefix: '/api/v1/notifications' });
  router.use(deps.auth);

  router.get('/', validate('query', listNotificationsQuerySchema), async (ctx) => {
    ctx.body = { items: await notifications.list(ctx.state.user!, ctx.state.query as { deliveryId?: string; limit: number }) };
  });

  return router;
}
