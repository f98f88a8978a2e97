import type { NotificationStore } from '../../db/notifications.js';
import type { WebhookDeliveryStatus } from '../../db/webhooks.js';
import {
  createWebhookSchema,
  listNotificationsQuerySchema,
  listWebhookDeliveriesQuerySchema,
  type CreateWebhookBody,
} from '../../domain/notifications.js';
import { route, type Resource, type SignIn } from '../route.js';
import type { WebhooksService } from '../services/webhooks-service.js';

export function webhookRoutes(deps: { webhooks: WebhooksService; auth: SignIn }): Resource {
  const { webhooks } = deps;
  const roles = ['customer', 'admin'] as const;
  const owned = 'customer, admin (owner)';
  // Keys manage an organisation's endpoints like their owner.
  const apiKeyScope = 'webhooks:manage' as const;
  return {
    prefix: '/webhooks',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/webhooks', summary: 'Register a webhook endpoint; the signing secret is shown only in this answer',
        roles, apiKeyScope, body: createWebhookSchema, ok: 201,
        handler: (ctx) => webhooks.create(ctx.state.user!, ctx.state.body as CreateWebhookBody),
      }),
      route({
        method: 'get', path: '/webhooks', summary: 'Your webhook endpoints with pending and dead-lettered counts', roles, apiKeyScope, ok: 200,
        handler: async (ctx) => ({ items: await webhooks.list(ctx.state.user!) }),
      }),
      route({
        method: 'delete', path: '/webhooks/:id', summary: 'Remove a webhook endpoint', roles, apiKeyScope, who: owned, ids: { id: 'webhook' }, ok: 204,
        handler: (ctx) => webhooks.remove(ctx.state.user!, ctx.params.id!),
      }),
      route({
        method: 'get', path: '/webhooks/:id/deliveries', summary: 'Messages sent to an endpoint: status, attempts, last error',
        roles, apiKeyScope, who: owned, ids: { id: 'webhook' }, query: listWebhookDeliveriesQuerySchema, ok: 200,
        handler: async (ctx) => ({ items: await webhooks.deliveries(ctx.state.user!, ctx.params.id!, ctx.state.query as { status?: WebhookDeliveryStatus; limit: number }) }),
      }),
      route({
        method: 'post', path: '/webhooks/:id/deliveries/:deliveryId/redeliver', summary: 'Send a message again (same webhook-id)',
        roles, apiKeyScope, who: owned, ids: { id: 'webhook delivery', deliveryId: 'webhook delivery' }, ok: 202,
        handler: (ctx) => webhooks.redeliver(ctx.state.user!, ctx.params.id!, ctx.params.deliveryId!),
      }),
    ],
  };
}

export function notificationRoutes(deps: { notifications: NotificationStore; auth: SignIn }): Resource {
  const { notifications } = deps;
  return {
    prefix: '/notifications',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/notifications', summary: 'Notifications: your own; dispatchers and admins see all',
        roles: 'user', query: listNotificationsQuerySchema, ok: 200,
        handler: async (ctx) => ({ items: await notifications.list(ctx.state.user!, ctx.state.query as { deliveryId?: string; limit: number }) }),
      }),
    ],
  };
}
