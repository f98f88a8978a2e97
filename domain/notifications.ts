/**
 * Who hears what when a delivery moves (DESIGN §8). Pure: the producer turns these plans into queue jobs,
 * the processors only deliver them.
 */
import { z } from 'zod';
import { safeText } from './text.js';
import type { Delivery, TimelineEvent } from './delivery.js';
import type { TimelineEventType } from './timeline.js';

export type RecipientKind = 'customer' | 'driver' | 'dispatcher';

export type NotificationTemplate =
  | 'quote_ready'
  | 'driver_assigned'
  | 'picked_up'
  | 'delayed'
  | 'delivered'
  | 'attempt_failed'
  | 'cancelled'
  | 'offer'
  | 'assigned'
  | 'reassigned_away'
  | 'delivery_cancelled'
  | 'alert'
  | 'delivery_code';

/** Where a `delivery_code` notice's code goes; the processor fills it in when it sends. */
export const DELIVERY_CODE_PLACEHOLDER = '{deliveryCode}';

export interface PlannedNotification {
  /** The last part of the job id `<deliveryId>:<seq>:<channel>`: one per recipient of one event. */
  channel: string;
  recipient: { kind: RecipientKind; userId?: string; driverId?: string };
  template: NotificationTemplate;
  message: string;
  /** The delay notice waits for the AI-written message that the workflow records right after it. */
  awaitsDelayMessage?: boolean;
}

type Event = Pick<TimelineEvent, 'type' | 'seq' | 'data'>;
type DeliveryView = Pick<Delivery, 'id' | 'trackingCode' | 'customerId' | 'quote' | 'driver' | 'pickup' | 'dropoff' | 'eta' | 'attempts'> &
  Partial<Pick<Delivery, 'codeRequired'>>;

const euros = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;
const time = (iso: string | null | undefined) => (iso ? `${new Date(iso).toISOString().slice(11, 16)} UTC` : 'soon');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const firstName = (name: string | undefined) => (name ?? '').trim().split(/\s+/)[0] || 'your driver';

function toCustomer(d: DeliveryView, template: NotificationTemplate, message: string, extra: Partial<PlannedNotification> = {}): PlannedNotification {
  return { channel: 'customer', recipient: { kind: 'customer', userId: d.customerId }, template, message, ...extra };
}

function toDriver(driverId: string, template: NotificationTemplate, message: string): PlannedNotification {
  return { channel: `driver-${driverId}`, recipient: { kind: 'driver', driverId }, template, message };
}

const fallbackDelayNotice = (trackingCode: string, eta: string | null | undefined) =>
  `Your delivery ${trackingCode} is running late. It should now arrive around ${time(eta)}. We are sorry for the wait.`;

export function plannedNotifications(event: Event, d: DeliveryView): PlannedNotification[] {
  const code = d.trackingCode;
  const route = `${d.pickup.address} → ${d.dropoff.address}`;
  switch (event.type) {
    case 'quoted': {
      const plans = [toCustomer(d, 'quote_ready', `Your quote for ${code} is ready: ${euros(d.quote.amountCents, d.quote.currency)}, valid until ${time(d.quote.expiresAt)}.`)];
      if (d.codeRequired) {
        // Meant for the recipient: the booking customer passes it on (no transport reaches the recipient directly).
        const recipient = d.dropoff.contactName ? `${d.dropoff.contactName}'s` : "The recipient's";
        plans.push(toCustomer(d, 'delivery_code', `${recipient} delivery code for ${code} is ${DELIVERY_CODE_PLACEHOLDER}. The driver asks for it at the door.`, { channel: 'customer-code' }));
      }
      return plans;
    }
    case 'assigned':
    case 'reassigned': {
      const plans = [toCustomer(d, 'driver_assigned', `${firstName(d.driver?.name)} will pick up your delivery ${code}.`)];
      const driverId = str(event.data.driverId);
      // A driver who accepted an offer already knows; one placed by a dispatcher must be told.
      if (driverId && (event.type === 'reassigned' || event.data.via === 'dispatcher')) {
        plans.push(toDriver(driverId, 'assigned', `A dispatcher assigned delivery ${code} to you: ${route}.`));
      }
      const previous = str(event.data.previousDriverId);
      if (previous) plans.push(toDriver(previous, 'reassigned_away', `Delivery ${code} was reassigned to another driver; you no longer need to pick it up.`));
      return plans;
    }
    case 'offer_sent': {
      const driverId = str(event.data.driverId);
      return driverId ? [toDriver(driverId, 'offer', `New delivery offer ${code}: ${route}. Answer before ${time(str(event.data.expiresAt))}.`)] : [];
    }
    case 'picked_up':
      return [toCustomer(d, 'picked_up', `Your delivery ${code} has been picked up and is on its way; expected around ${time(d.eta)}.`)];
    case 'delayed':
      return [toCustomer(d, 'delayed', fallbackDelayNotice(code, d.eta), { awaitsDelayMessage: true })];
    case 'delivered':
      return [toCustomer(d, 'delivered', `Your delivery ${code} has been delivered.`)];
    case 'attempt_failed':
      return [toCustomer(d, 'attempt_failed', `We could not deliver ${code} (${str(event.data.reason) ?? 'no one was available'}). We will try again or return it to the sender.`)];
    case 'cancelled': {
      const plans = [toCustomer(d, 'cancelled', `Your delivery ${code} was cancelled: ${str(event.data.reason) ?? 'no reason given'}.`)];
      if (d.driver) plans.push(toDriver(d.driver.id, 'delivery_cancelled', `Delivery ${code} was cancelled; do not pick it up.`));
      return plans;
    }
    case 'alert':
      return [{
        channel: 'dispatcher',
        recipient: { kind: 'dispatcher' },
        template: 'alert',
        message: `${code}: ${str(event.data.message) ?? str(event.data.kind) ?? 'needs attention'}`,
      }];
    default:
      return [];
  }
}

/** Whether an `ai` timeline event carries the customer message for a delay. */
export const isDelayMessage = (event: Pick<TimelineEvent, 'type' | 'data'>) => event.type === 'ai' && event.data.use === 'delay_message';

// --- What the API shows ---

export interface NotificationView {
  id: string;
  deliveryId: string;
  seq: number;
  recipient: { kind: RecipientKind; userId: string | null };
  channel: 'log' | 'email';
  template: string;
  message: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdAt: string;
  pendingDeliveries: number;
  deadDeliveries: number;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  /** The `webhook-id` receivers see: the same on every attempt and redelivery. */
  eventId: string;
  eventType: string;
  deliveryId: string;
  seq: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  responseExcerpt: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  deadAt: string | null;
}

// --- Webhook subscriptions ---

/** Events a customer may subscribe to for their own deliveries. */
export const CUSTOMER_WEBHOOK_EVENTS = [
  'quoted', 'quote_accepted', 'assigned', 'reassigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered',
  'attempt_failed', 'reattempt', 'return_started', 'returned', 'cancelled', 'expired', 'delayed',
] as const satisfies readonly TimelineEventType[];
/** Admins also see dispatch internals; AI records (prompts) never leave the platform. */
export const ADMIN_WEBHOOK_EVENTS = [...CUSTOMER_WEBHOOK_EVENTS, 'offer_sent', 'offer_declined', 'offer_expired', 'alert'] as const satisfies readonly TimelineEventType[];

export const webhookEventName = (type: string) => `delivery.${type}`;
const WEBHOOK_EVENT_NAMES = ADMIN_WEBHOOK_EVENTS.map(webhookEventName);

export function subscribableBy(role: string): readonly string[] {
  return (role === 'admin' ? ADMIN_WEBHOOK_EVENTS : CUSTOMER_WEBHOOK_EVENTS).map(webhookEventName);
}

/** Whether an endpoint with this filter (and owner role) receives this timeline event. */
export function endpointWants(filter: readonly string[], ownerRole: string, type: string): boolean {
  const name = webhookEventName(type);
  if (!subscribableBy(ownerRole).includes(name)) return false;
  return filter.includes('*') || filter.includes(name);
}

export const createWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000),
  events: z.array(z.union([z.literal('*'), z.enum(WEBHOOK_EVENT_NAMES as [string, ...string[]])])).min(1).max(40),
  description: safeText(200).optional(),
});
export type CreateWebhookBody = z.infer<typeof createWebhookSchema>;

export const listWebhookDeliveriesQuerySchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const listNotificationsQuerySchema = z.strictObject({
  deliveryId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
