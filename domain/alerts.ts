/**
 * Alerts as the dispatcher's board keeps them: how urgent each kind is, and which change of the
 * delivery clears its cause, so an alert resolves itself without anyone closing it.
 */
import type { AlertKind, DeliveryState } from './delivery.js';
import { isTerminal, type DeliveryStatus } from './status.js';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** A kind raised by anything else (e.g. an activity that keeps failing) is a warning unless listed. */
const SEVERITY: Partial<Record<string, AlertSeverity>> = {
  window_missed: 'critical',
  delivery_code_locked: 'critical',
  unassigned: 'critical',
  no_candidates: 'critical',
  window_at_risk: 'warning',
  pickup_late: 'warning',
  delayed: 'warning',
  attempt_failed: 'warning',
  far_from_stop: 'info',
};

export function severityOf(kind: string): AlertSeverity {
  return SEVERITY[kind] ?? 'warning';
}

/** Smaller first on the board. */
export const severityRank = (s: AlertSeverity): number => ALERT_SEVERITIES.indexOf(s);

/** An alert as `GET /alerts` lists it and `alert:updated` carries it. */
export interface AlertRecord {
  id: string;
  deliveryId: string | null;
  trackingCode: string | null;
  /** The delivery transition that raised it, when a workflow raised it. */
  seq: number | null;
  kind: AlertKind | (string & {});
  severity: AlertSeverity;
  message: string;
  state: AlertState;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string; name: string } | null;
  resolvedAt: string | null;
  resolution: string | null;
}

const PAST_DISPATCH: readonly DeliveryStatus[] = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF', 'ATTEMPT_FAILED', 'RETURNING'];
const PICKED_UP: readonly DeliveryStatus[] = ['IN_TRANSIT', 'AT_DROPOFF', 'ATTEMPT_FAILED', 'RETURNING'];

/**
 * Whether a transition can raise or resolve an alert in the read model: it is an alert, or the delivery
 * carries alerts a change may clear, or it ended (which resolves any alert, the worker's own included).
 * The others need no look at the alerts table.
 */
export function mayChangeAlerts(type: string, state: Pick<DeliveryState, 'status' | 'alerts'>): boolean {
  return type === 'alert' || state.alerts.length > 0 || isTerminal(state.status);
}

/**
 * Why an alert of this kind no longer applies to the delivery as it is now, or null while it still
 * does. Kinds this table does not know clear only when the delivery ends.
 */
export function clearedCause(kind: string, state: Pick<DeliveryState, 'status' | 'codeOverride'>): string | null {
  const { status } = state;
  // A flag on what a driver did, not a state the delivery is in: it stays until a dispatcher has seen it.
  if (kind === 'far_from_stop') return null;
  if (isTerminal(status)) return status.toLowerCase();
  switch (kind) {
    case 'unassigned':
    case 'no_candidates':
      return PAST_DISPATCH.includes(status) ? 'driver assigned' : null;
    case 'pickup_late':
      return PICKED_UP.includes(status) ? 'picked up' : null;
    case 'delivery_code_locked':
      if (state.codeOverride) return 'dispatcher override';
      return status !== 'AT_DROPOFF' ? 'left the door' : null;
    default:
      return null;
  }
}
