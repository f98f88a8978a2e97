/** The delivery as the workflow holds it, as the read model stores it and as the API shows it. */
import type { Parcel, Stop } from './schemas.js';
import type { Price, Priority } from './pricing.js';
import type { ActorKind, DeliveryStatus } from './status.js';
import type { TimelineEventType } from './timeline.js';

export interface Quote extends Price {
  expiresAt: string;
  voidedAt?: string | null;
  /**
   * True when `distanceKm` is the straight-line estimate (no router, or it failed), false when a road
   * router measured it. Absent on quotes made before routers were supported: those were estimates.
   */
  estimated?: boolean;
  /** The router's driving time from pickup to drop-off, when it gave one. */
  roadMinutes?: number;
}

export interface DriverRef {
  id: string;
  name: string;
}

export interface Proof {
  recipientName?: string;
  signatureId?: string;
  photoId?: string;
  otpVerified?: boolean;
  /** The keyed hash of the code the driver entered (never the code): the workflow compares it with its own. */
  codeHash?: string;
  at: string;
}

export interface Actor {
  kind: ActorKind;
  userId?: string;
  driverId?: string;
  name?: string;
  /** The API request that caused the step: it follows the event into job data and logs. */
  requestId?: string;
}

/** Every duration the workflow waits on, so tests can shrink them and operators tune them. */
export interface DeliveryTimings {
  quoteTtlMs: number;
  offerTimeoutMs: number;
  dispatchSlaMs: number;
  dispatchRetryMs: number;
  pickupSlaMs: number;
  reattemptDelayMs: number;
  maxAttempts: number;
  /** When set, the promise is pickup time + this; otherwise ETA + a priority slack. */
  deliveryPromiseMs?: number;
  /** How long before its pickup window opens a scheduled delivery starts looking for a driver. */
  dispatchLeadMs?: number;
  /** Wrong delivery codes accepted before only a failed attempt or a dispatcher override moves it on. */
  maxCodeTries?: number;
}

export const DEFAULT_TIMINGS: DeliveryTimings = {
  quoteTtlMs: 15 * 60_000,
  offerTimeoutMs: 60_000,
  dispatchSlaMs: 10 * 60_000,
  dispatchRetryMs: 30_000,
  pickupSlaMs: 45 * 60_000,
  reattemptDelayMs: 30 * 60_000,
  maxAttempts: 3,
  dispatchLeadMs: 30 * 60_000,
  maxCodeTries: 5,
};

export interface DeliveryWorkflowInput {
  deliveryId: string;
  trackingCode: string;
  customerId: string;
  /** The organisation it was booked in; its members see it, and nobody else. Absent: a personal delivery. */
  organizationId?: string;
  /** The client's own reference (an imported row's), unique per organisation or personal account. */
  reference?: string;
  pickup: Stop;
  dropoff: Stop;
  parcel: Parcel;
  priority: Priority;
  notes?: string;
  quote: Quote;
  autoAccept?: boolean;
  timings: DeliveryTimings;
  createdAt: string;
  /** Use the AI re-ranking of dispatch candidates when a model is configured. */
  aiDispatch?: boolean;
  requestId?: string;
  pickupWindow?: TimeWindow;
  dropoffWindow?: TimeWindow;
  /** The keyed hash of the delivery code the recipient must give; absent, no code is asked for. */
  deliveryCodeHash?: string;
  /** The customer allows leaving the parcel at the door: a photo is then the proof. */
  leaveAtDoor?: boolean;
  /** Milestones farther than this from their stop are flagged; absent, none are. */
  maxStopDistanceM?: number;
  /**
   * A person's change is answered to the caller, who records it (workflows/delivery/state.ts, patch
   * `caller-records`). Deliveries started without it record every change themselves.
   */
  callerRecords?: boolean;
}

/** The failure type of an activity whose write the database refused for good (SQLSTATE class 22). */
export const DATA_REJECTED = 'DATA_REJECTED';

export type AlertKind =
  | 'unassigned'
  | 'pickup_late'
  | 'delayed'
  | 'attempt_failed'
  | 'no_candidates'
  | 'window_at_risk'
  | 'window_missed'
  | 'delivery_code_locked'
  | 'far_from_stop';

export interface Alert {
  kind: AlertKind;
  message: string;
  at: string;
}

/** A time window (ISO 8601 instants), from < to. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface DeliveryState {
  deliveryId: string;
  trackingCode: string;
  customerId: string;
  organizationId?: string;
  reference?: string;
  status: DeliveryStatus;
  seq: number;
  delayed: boolean;
  priority: Priority;
  pickup: Stop;
  dropoff: Stop;
  parcel: Parcel;
  notes?: string;
  quote: Quote;
  driver: DriverRef | null;
  offer: { driverId: string; name: string; expiresAt: string } | null;
  declinedDriverIds: string[];
  attempts: number;
  eta: string | null;
  promisedBy: string | null;
  proof: Proof | null;
  cancellation: { by: ActorKind; reason: string } | null;
  alerts: Alert[];
  createdAt: string;
  updatedAt: string;
  /** Absent in deliveries started before windows existed. */
  pickupWindow?: TimeWindow | null;
  dropoffWindow?: TimeWindow | null;
  dispatchAt?: string | null;
  codeRequired?: boolean;
  leaveAtDoor?: boolean;
  /** Wrong codes so far; at the limit the code is locked until a failed attempt or an override. */
  codeFailures?: number;
  codeOverride?: { by: string; reason: string } | null;
  /** The ETA passes the end of the window the delivery works toward. */
  windowAtRisk?: boolean;
}

/**
 * One step on a delivery's timeline: what the read model stores and clients replay. Read back from the
 * database its type is any string; what the workflow writes is a `TimelineEventType` (TransitionRecord).
 */
export interface TimelineEvent {
  seq: number;
  type: TimelineEventType | (string & {});
  at: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** A transition as clients see it in a timeline: without the snapshot and ids it travels with. */
export function timelineEventOf(record: TimelineEvent): TimelineEvent {
  return { seq: record.seq, type: record.type, at: record.at, actor: record.actor, data: record.data };
}

/** What the workflow hands to the recordTransition activity: the event plus the state after it. */
export interface TransitionRecord extends TimelineEvent {
  type: TimelineEventType;
  deliveryId: string;
  snapshot: DeliveryState;
}

/**
 * What a delivery is booked with and never changes: the read model has it from the first transition, so
 * later transitions need not carry it to the activities again (only the quote's voiding moves, and that
 * travels on its own).
 */
export const BOOKING_FIELDS = [
  'trackingCode', 'customerId', 'organizationId', 'reference', 'priority', 'pickup', 'dropoff', 'parcel', 'notes', 'quote',
  'createdAt', 'pickupWindow', 'dropoffWindow', 'dispatchAt', 'codeRequired', 'leaveAtDoor',
] as const satisfies ReadonlyArray<keyof DeliveryState>;
export type Booking = Pick<DeliveryState, (typeof BOOKING_FIELDS)[number]>;

/** The booking a whole state carries. */
export function bookingOfState(state: DeliveryState): Booking {
  return Object.fromEntries(BOOKING_FIELDS.map((f) => [f, state[f]])) as Booking;
}

/** The state without its booking: what moves as a delivery goes on (the quote only by being voided). */
export type DeliveryChange = Omit<DeliveryState, keyof Booking> & { quoteVoidedAt?: string | null };

export function changeOf(state: DeliveryState): DeliveryChange {
  const change: Record<string, unknown> = { ...state };
  for (const field of BOOKING_FIELDS) delete change[field];
  if (state.quote.voidedAt) change.quoteVoidedAt = state.quote.voidedAt;
  return change as DeliveryChange;
}

/** The whole state again, from its booking and its change. */
export function stateFrom(booking: Booking, { quoteVoidedAt, ...rest }: DeliveryChange): DeliveryState {
  const { voidedAt: _stored, ...quote } = booking.quote;
  return { ...booking, ...rest, quote: quoteVoidedAt ? { ...quote, voidedAt: quoteVoidedAt } : quote };
}

/** A transition after the first, as the activities receive it: the state without its booking. */
export interface SlimTransitionRecord extends TimelineEvent {
  type: TimelineEventType;
  deliveryId: string;
  change: DeliveryChange;
}

export function slimTransition({ snapshot, ...event }: TransitionRecord): SlimTransitionRecord {
  return { ...event, change: changeOf(snapshot) };
}

/** The transition with its full snapshot again, from the booking the read model holds. */
export function withBooking({ change, ...event }: SlimTransitionRecord, booking: Booking): TransitionRecord {
  return { ...event, snapshot: stateFrom(booking, change) };
}

/** A transition as it came (the first carries its whole snapshot), whole. */
export function wholeTransition(transition: TransitionRecord | SlimTransitionRecord, booking: Booking): TransitionRecord {
  return 'snapshot' in transition ? transition : withBooking(transition, booking);
}

/** The `Delivery` of the HTTP contract. */
export interface Delivery {
  id: string;
  trackingCode: string;
  status: DeliveryStatus;
  seq: number;
  delayed: boolean;
  priority: Priority;
  pickup: Stop;
  dropoff: Stop;
  parcel: Parcel;
  notes?: string | null;
  quote: Quote;
  customerId: string;
  organizationId?: string | null;
  reference?: string | null;
  driver?: DriverRef | null;
  offer?: { driverId: string; expiresAt: string } | null;
  eta?: string | null;
  promisedBy?: string | null;
  attempts: number;
  proof?: Proof | null;
  cancellation?: { by: ActorKind; reason: string } | null;
  pickupWindow: TimeWindow | null;
  dropoffWindow: TimeWindow | null;
  /** When a scheduled delivery starts looking for a driver. */
  dispatchAt: string | null;
  codeRequired: boolean;
  leaveAtDoor: boolean;
  /** The code the recipient gives the driver: only on the booking customer's (and dispatchers') view. */
  deliveryCode?: string;
  createdAt: string;
  updatedAt: string;
  workflowId: string;
  temporalUiUrl: string;
  timeline?: TimelineEvent[];
}

/** The reduced public view of `GET /track/:code`: no phones, no surnames, no proof images. */
export interface TrackingView {
  trackingCode: string;
  status: DeliveryStatus;
  seq: number;
  delayed: boolean;
  eta: string | null;
  promisedBy: string | null;
  pickupWindow: TimeWindow | null;
  dropoffWindow: TimeWindow | null;
  pickup: { address: string };
  dropoff: { address: string };
  driver: { firstName: string; position: { lat: number; lng: number; at: string } | null } | null;
  proof: { recipientName?: string; at: string } | null;
  timeline: Array<{ seq: number; type: string; at: string }>;
}

export const workflowIdFor = (deliveryId: string): string => `delivery-${deliveryId}`;

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

/** What the public view is made from: a `Delivery`, or the few columns of it the tracking read selects. */
export type TrackingSource = Pick<Delivery, 'trackingCode' | 'status' | 'seq' | 'delayed' | 'eta' | 'promisedBy' | 'proof'> & {
  pickupWindow?: TimeWindow | null;
  dropoffWindow?: TimeWindow | null;
  pickup: { address: string };
  dropoff: { address: string };
  driver: { name: string } | null;
  timeline?: Array<Pick<TimelineEvent, 'seq' | 'type' | 'at'>>;
};

/** Keeps only what a public tracking page may show. */
export function toTrackingView(
  d: TrackingSource,
  driverPosition: { lat: number; lng: number; at: string } | null,
): TrackingView {
  const showPosition = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF', 'RETURNING'].includes(d.status);
  return {
    trackingCode: d.trackingCode,
    status: d.status,
    seq: d.seq,
    delayed: d.delayed,
    eta: d.eta ?? null,
    promisedBy: d.promisedBy ?? null,
    pickupWindow: d.pickupWindow ?? null,
    dropoffWindow: d.dropoffWindow ?? null,
    pickup: { address: d.pickup.address },
    dropoff: { address: d.dropoff.address },
    driver: d.driver ? { firstName: firstName(d.driver.name), position: showPosition ? driverPosition : null } : null,
    proof: d.proof ? { recipientName: d.proof.recipientName ? firstName(d.proof.recipientName) : undefined, at: d.proof.at } : null,
    // Alerts and AI calls are for dispatchers, not for whoever holds the tracking code.
    timeline: (d.timeline ?? []).filter((e) => e.type !== 'ai' && e.type !== 'alert').map(({ seq, type, at }) => ({ seq, type, at })),
  };
}
