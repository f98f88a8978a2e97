/**
 * The kinds of step a delivery's timeline holds: what the workflow writes, the read model stores,
 * notifications and webhooks listen for, and the pages label. One list, so a new kind is added once.
 */
export const TIMELINE_EVENT_TYPES = [
  'quoted',
  'quote_accepted',
  'dispatch_started',
  'offer_sent',
  'offer_declined',
  'offer_expired',
  'assigned',
  'reassigned',
  'arrived_pickup',
  'picked_up',
  'arrived_dropoff',
  'delivered',
  'delivery_code_rejected',
  'delivery_code_overridden',
  'attempt_failed',
  'reattempt',
  'return_started',
  'returned',
  'cancelled',
  'expired',
  'delayed',
  'window_at_risk',
  'alert',
  'ai',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];
