/** How amounts, times, statuses and events read on screen. */
import type { DeliveryStatus, MilestoneType } from '../../../domain/status.js';
import type { TimelineEventType } from '../../../domain/timeline.js';

export function money(cents: number, currency = 'EUR'): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "3 min ago", "in 12 min": coarse on purpose, for scanning. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (minutes === 0) return 'now';
  const span = Math.abs(minutes) < 90 ? `${Math.abs(minutes)} min` : `${Math.round(Math.abs(minutes) / 60)} h`;
  return minutes > 0 ? `in ${span}` : `${span} ago`;
}

/** mm:ss left until an instant, never negative. */
export function countdown(iso: string, now: number): string {
  const s = Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "Thu 09:00–11:00" in the viewer's time zone; a window over midnight names both days. */
export function windowLabel(w: { from: string; to: string }): string {
  const day = (d: Date) => d.toLocaleDateString(undefined, { weekday: 'short' });
  const hm = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  const from = new Date(w.from);
  const to = new Date(w.to);
  return from.toDateString() === to.toDateString() ? `${day(from)} ${hm(from)}–${hm(to)}` : `${day(from)} ${hm(from)} – ${day(to)} ${hm(to)}`;
}

/** Time left until an instant: "2 h 05 min" beyond the hour, mm:ss within it. */
export function timeLeft(iso: string, now: number): string {
  const s = Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min` : countdown(iso, now);
}

export function km(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} km`;
}

export const STATUS_LABELS: Record<DeliveryStatus, string> = {
  QUOTED: 'Quoted',
  SCHEDULED: 'Scheduled',
  DISPATCHING: 'Finding a driver',
  ASSIGNED: 'Driver assigned',
  AT_PICKUP: 'At pickup',
  IN_TRANSIT: 'In transit',
  AT_DROPOFF: 'At drop-off',
  ATTEMPT_FAILED: 'Attempt failed',
  RETURNING: 'Returning',
  DELIVERED: 'Delivered',
  RETURNED: 'Returned',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
};

export const MILESTONE_LABELS: Record<MilestoneType, string> = {
  accept_offer: 'Accept',
  decline_offer: 'Decline',
  arrived_pickup: 'Arrived at pickup',
  picked_up: 'Picked up',
  arrived_dropoff: 'Arrived at drop-off',
  delivered: 'Delivered',
  attempt_failed: 'Delivery failed',
  returned: 'Returned to sender',
};

const EVENT_LABELS: Record<TimelineEventType, string> = {
  quoted: 'Quote issued',
  quote_accepted: 'Quote accepted',
  offer_sent: 'Offered to a driver',
  offer_declined: 'Offer declined',
  offer_expired: 'Offer expired',
  assigned: 'Driver assigned',
  reassigned: 'Driver reassigned',
  arrived_pickup: 'Driver at pickup',
  picked_up: 'Picked up',
  arrived_dropoff: 'Driver at drop-off',
  delivered: 'Delivered',
  attempt_failed: 'Delivery attempt failed',
  reattempt: 'Out for another attempt',
  return_started: 'Returning to sender',
  returned: 'Returned to sender',
  cancelled: 'Cancelled',
  expired: 'Quote expired',
  delayed: 'Running late',
  dispatch_started: 'Looking for a driver (window near)',
  window_at_risk: 'Window at risk',
  delivery_code_rejected: 'Wrong delivery code',
  delivery_code_overridden: 'Delivery code overridden',
  alert: 'Alert',
  ai: 'AI note',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type as TimelineEventType] ?? type.replace(/_/g, ' ');
}
