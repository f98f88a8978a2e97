/** Socket.IO event maps shared by the server, the worker's emitter and the web client (DESIGN §6). */
import type { AlertRecord } from './alerts.js';
import type { Alert, Delivery, TimelineEvent, TrackingView } from './delivery.js';
import type { ImportProgress } from './imports.js';

export interface DriverLocationEvent {
  driverId: string;
  lat: number;
  lng: number;
  heading?: number;
  at: string;
}

/**
 * Alerts about the machinery rather than the delivery's business: an activity failing again and again
 * (`activity_failing`), or a change the database refused for good (`record_rejected`).
 */
export type OperationalAlertKind = 'activity_failing' | 'record_rejected';

export interface AlertEvent {
  deliveryId: string;
  kind: Alert['kind'] | OperationalAlertKind;
  message: string;
  at: string;
}

export type SubscribeResult = { ok: true; delivery: Delivery } | { ok: false; code: string; message: string };

export interface ServerToClientEvents {
  /** The snapshot after one transition, and that transition's timeline event (snapshots carry no timeline). */
  'delivery:updated': (delivery: Delivery, event?: TimelineEvent) => void;
  /** Public tracking sockets get the reduced view of `GET /track/:code`, never the full `Delivery`. */
  'tracking:updated': (view: TrackingView) => void;
  'driver:location': (location: DriverLocationEvent) => void;
  'alert:raised': (alert: AlertEvent) => void;
  /** An alert of the read model as it is now: raised, acknowledged or resolved (to dispatchers). */
  'alert:updated': (alert: AlertRecord) => void;
  /** To a driver who no longer carries a delivery (reassigned or cancelled). */
  'delivery:released': (info: { deliveryId: string; reason: string }) => void;
  'session:revoked': (info: { reason: string }) => void;
  /** A bulk import moved on (`GET /imports/:id` has the same counts, and the refused rows). */
  'import:progress': (progress: ImportProgress) => void;
}

export interface ClientToServerEvents {
  'delivery:subscribe': (deliveryId: string, ack: (result: SubscribeResult) => void) => void;
  /** Leaves a room joined by `delivery:subscribe` (each socket may follow a bounded number). */
  'delivery:unsubscribe': (deliveryId: string) => void;
}

export const rooms = {
  dispatch: 'dispatch',
  driver: (driverId: string) => `driver:${driverId}`,
  delivery: (deliveryId: string) => `delivery:${deliveryId}`,
  tracking: (deliveryId: string) => `tracking:${deliveryId}`,
  user: (userId: string) => `user:${userId}`,
  /** One sign-in (a refresh-token family): logging out ends its sockets, not the user's other devices'. */
  session: (sessionId: string) => `session:${sessionId}`,
  /** Every member's socket that connected in the organisation: its deliveries, as they are booked. */
  organization: (organizationId: string) => `organization:${organizationId}`,
  /** One member's sockets in one organisation: removing the member ends them. */
  member: (organizationId: string, userId: string) => `member:${organizationId}:${userId}`,
} as const;
