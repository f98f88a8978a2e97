/** Webhook endpoints for customers and admins: register (secret shown once), list, remove, inspect, redeliver. */
import { webhookJobId, QueueUnavailableError, type QueueProducer } from '../../adapters/queue-producer.js';
import type { Config } from '../../config/env.js';
import type { WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView, WebhookStore } from '../../db/webhooks.js';
import { subscribableBy, type CreateWebhookBody } from '../../domain/notifications.js';
import { TargetRefusedError, vetTarget } from '../../adapters/ssrf-guard.js';
import { generateWebhookSecret } from '../../adapters/webhook-signature.js';
import { AppError, ConflictError, NotFoundError, UnavailableError, ValidationError } from '../errors.js';
import type { AuthUser } from '../types.js';
import { ownerOf } from './owner.js';

export class WebhooksService {
  constructor(private readonly deps: { store: WebhookStore; config: Readonly<Config>; producer: QueueProducer }) {}

  async create(owner: AuthUser, body: CreateWebhookBody): Promise<WebhookEndpointView & { secret: string }> {
    const allowed = subscribableBy(owner.role);
    const denied = body.events.filter((e) => e !== '*' && !allowed.includes(e));
    if (denied.length > 0) {
      throw new ValidationError(denied.map((e) => ({ path: 'body.events', message: `${e} is not available to ${owner.role}s` })));
    }
    const url = new URL(body.url);
    if (url.username || url.password) throw new ValidationError([{ path: 'body.url', message: 'credentials in the URL are not accepted' }]);
    if (this.deps.config.production && url.protocol !== 'https:') throw new ValidationError([{ path: 'body.url', message: 'an https URL is required' }]);
    // Checked now for a clear answer; checked again on every send, since what a name points to can change.
    try {
      await vetTarget(url, this.deps.config.WEBHOOK_ALLOWED_HOSTS);
    } catch (err) {
      if (err instanceof TargetRefusedError) throw new AppError(400, 'WEBHOOK_URL_REFUSED', err.message, [{ path: 'body.url', message: err.message }]);
      throw err;
    }
    const secret = generateWebhookSecret();
    const events = [...new Set(body.events)];
    const endpoint = await this.deps.store.createEndpoint({ owner: ownerOf(owner), url: url.toString(), events, description: body.description, secret });
    return { ...endpoint, secret };
  }

  list(owner: AuthUser): Promise<WebhookEndpointView[]> {
    return this.deps.store.listEndpoints(ownerOf(owner));
  }

  async remove(owner: AuthUser, id: string): Promise<void> {
    if (!(await this.deps.store.deleteEndpoint(id, ownerOf(owner)))) throw new NotFoundError('webhook');
  }

  async deliveries(owner: AuthUser, id: string, filter: { status?: WebhookDeliveryStatus; limit: number }): Promise<WebhookDeliveryView[]> {
    const rows = await this.deps.store.listDeliveries(id, ownerOf(owner), filter);
    if (!rows) throw new NotFoundError('webhook');
    return rows;
  }

  async redeliver(owner: AuthUser, endpointId: string, webhookDeliveryId: string): Promise<WebhookDeliveryView> {
    const reopened = await this.deps.store.reopenDelivery(endpointId, webhookDeliveryId, ownerOf(owner));
    if (!reopened) throw new NotFoundError('webhook delivery');
    const { view, payload } = reopened;
    try {
      const outcome = await this.deps.producer.redeliverWebhook(webhookJobId(view.deliveryId, view.seq, endpointId), {
        endpointId,
        eventId: view.eventId,
        eventType: view.eventType,
        deliveryId: view.deliveryId,
        seq: view.seq,
        body: payload,
      });
      if (outcome === 'in_progress') throw new ConflictError('this message is being delivered right now', 'DELIVERY_IN_PROGRESS');
    } catch (err) {
      if (err instanceof QueueUnavailableError) throw new UnavailableError('the delivery queue is unavailable; try again shortly', err.code);
      throw err;
    }
    return { ...view, status: 'pending', deadAt: null };
  }
}
