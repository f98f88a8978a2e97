/** Delivers webhook jobs: signed (Standard Webhooks), through the SSRF guard, dead-lettered after the last try. */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WebhookJobData } from '../adapters/queue-producer.js';
import type { WebhookStore } from '../db/webhooks.js';
import { TargetRefusedError } from '../adapters/ssrf-guard.js';
import { postWebhook } from './webhook-sender.js';
import { webhookHeaders } from '../adapters/webhook-signature.js';

export interface WebhookProcessorDeps {
  store: WebhookStore;
  logger: Logger;
  allowedHosts: readonly string[];
  timeoutMs: number;
}

export function webhookProcessor(deps: WebhookProcessorDeps) {
  const { store, logger } = deps;

  return async (job: Job<WebhookJobData>) => {
    const data = job.data;
    const endpoint = await store.endpointForSend(data.endpointId);
    if (!endpoint) return { skipped: 'endpoint removed' };
    const row = await store.openAttempt({
      endpointId: data.endpointId,
      eventId: data.eventId,
      eventType: data.eventType,
      deliveryId: data.deliveryId,
      seq: data.seq,
      payload: data.body,
    });
    // Sent and acknowledged before a crash kept the job from completing: do not send it again.
    if (row.status === 'delivered') return { webhookDeliveryId: row.id, skipped: 'already delivered' };

    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const log = logger.child({ webhookDeliveryId: row.id, requestId: data.requestId, endpointId: data.endpointId, eventId: data.eventId, attempt: job.attemptsMade + 1 });
    let result;
    try {
      result = await postWebhook(endpoint.url, webhookHeaders(endpoint.secret, data.eventId, data.body), data.body, {
        allowedHosts: deps.allowedHosts,
        timeoutMs: deps.timeoutMs,
      });
    } catch (err) {
      const refused = err instanceof TargetRefusedError;
      const error = refused ? (err as Error).message : `request failed: ${(err as Error).message}`;
      await store.recordOutcome(row.id, { delivered: false, dead: refused || final, error });
      log.warn({ error, final: refused || final }, 'webhook not delivered');
      // A refused address will be refused on every try: no point retrying.
      throw refused ? new UnrecoverableError(error) : new Error(error);
    }

    if (result.status >= 200 && result.status < 300) {
      await store.recordOutcome(row.id, { delivered: true, responseStatus: result.status, excerpt: result.excerpt });
      log.info({ status: result.status }, 'webhook delivered');
      return { webhookDeliveryId: row.id, status: result.status };
    }
    const redirect = result.status >= 300 && result.status < 400;
    // Redirects are never followed: the guard vetted this address, not the one it points to.
    const error = redirect ? `redirect to ${result.location ?? '(no location)'} not followed (HTTP ${result.status})` : `HTTP ${result.status}`;
    await store.recordOutcome(row.id, { delivered: false, dead: redirect || final, error, responseStatus: result.status, excerpt: result.excerpt });
    log.warn({ error, final: redirect || final }, 'webhook not delivered');
    throw redirect ? new UnrecoverableError(error) : new Error(error);
  };
}
