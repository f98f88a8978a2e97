/**
 * The delivery state machine: the one table that the workflow's validators, the API's 409s and the
 * pages' buttons all read. Nothing else may encode which status allows which action.
 */

export const DELIVERY_STATUSES = [
  'QUOTED',
  'SCHEDULED',
  'DISPATCHING',
  'ASSIGNED',
  'AT_PICKUP',
  'IN_TRANSIT',
  'AT_DROPOFF',
  'ATTEMPT_FAILED',
  'RETURNING',
  'DELIVERED',
  'RETURNED',
  'CANCELLED',
  'EXPIRED',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const TERMINAL_STATUSES: readonly DeliveryStatus[] = ['DELIVERED', 'RETURNED', 'CANCELLED', 'EXPIRED'];

/** A delivery in one of these holds its driver: it counts toward their load and is sent their position. */
export const DRIVER_HELD_STATUSES: readonly DeliveryStatus[] = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF', 'ATTEMPT_FAILED', 'RETURNING'];

export const ROLES = ['admin', 'dispatcher', 'driver', 'customer'] as const;
export type Role = (typeof ROLES)[number];

/** Who acts on a delivery: a person with a role, or the workflow itself (timers). */
export type ActorKind = Role | 'system';

export type DeliveryAction =
  | 'acceptQuote'
  | 'acceptOffer'
  | 'declineOffer'
  | 'assignDriver'
  | 'arrivedAtPickup'
  | 'confirmPickup'
  | 'arrivedAtDropoff'
  | 'confirmDelivery'
  | 'reportFailedAttempt'
  | 'reattempt'
  | 'startReturn'
  | 'confirmReturn'
  | 'cancel'
  | 'expireQuote'
  | 'startDispatch'
  | 'overrideDeliveryCode';

interface TransitionRule {
  from: readonly DeliveryStatus[];
  /** null: the action keeps the status (an offer declined leaves the delivery DISPATCHING). */
  to: DeliveryStatus | null;
  actors: readonly ActorKind[];
  /** The actor must be the driver the delivery is offered to or assigned to. */
  driverBound?: 'offered' | 'assigned';
  /** Only the customer who owns the delivery. */
  ownerBound?: boolean;
}

/** The parcel is still at its pickup: the pickup window is the one that matters. */
export const BEFORE_PICKUP: readonly DeliveryStatus[] = ['QUOTED', 'SCHEDULED', 'DISPATCHING', 'ASSIGNED', 'AT_PICKUP'];
const UNTIL_DELIVERED: readonly DeliveryStatus[] = [
  ...BEFORE_PICKUP,
  'IN_TRANSIT',
  'AT_DROPOFF',
  'ATTEMPT_FAILED',
  'RETURNING',
];

export const TRANSITIONS: Record<DeliveryAction, TransitionRule> = {
  // A pickup window that opens later than the dispatch lead sends it to SCHEDULED instead (acceptQuoteTarget).
  acceptQuote: { from: ['QUOTED'], to: 'DISPATCHING', actors: ['customer', 'dispatcher', 'admin'], ownerBound: true },
  startDispatch: { from: ['SCHEDULED'], to: 'DISPATCHING', actors: ['system'] },
  acceptOffer: { from: ['DISPATCHING'], to: 'ASSIGNED', actors: ['driver'], driverBound: 'offered' },
  declineOffer: { from: ['DISPATCHING'], to: null, actors: ['driver'], driverBound: 'offered' },
  assignDriver: { from: ['DISPATCHING', 'ASSIGNED'], to: 'ASSIGNED', actors: ['dispatcher', 'admin'] },
  arrivedAtPickup: { from: ['ASSIGNED'], to: 'AT_PICKUP', actors: ['driver'], driverBound: 'assigned' },
  confirmPickup: { from: ['AT_PICKUP'], to: 'IN_TRANSIT', actors: ['driver'], driverBound: 'assigned' },
  arrivedAtDropoff: { from: ['IN_TRANSIT'], to: 'AT_DROPOFF', actors: ['driver'], driverBound: 'assigned' },
  confirmDelivery: { from: ['AT_DROPOFF'], to: 'DELIVERED', actors: ['driver'], driverBound: 'assigned' },
  reportFailedAttempt: { from: ['AT_DROPOFF'], to: 'ATTEMPT_FAILED', actors: ['driver'], driverBound: 'assigned' },
  reattempt: { from: ['ATTEMPT_FAILED'], to: 'IN_TRANSIT', actors: ['system'] },
  startReturn: { from: ['ATTEMPT_FAILED'], to: 'RETURNING', actors: ['system'] },
  confirmReturn: { from: ['RETURNING'], to: 'RETURNED', actors: ['driver'], driverBound: 'assigned' },
  cancel: { from: UNTIL_DELIVERED, to: 'CANCELLED', actors: ['customer', 'dispatcher', 'admin'], ownerBound: true },
  expireQuote: { from: ['QUOTED'], to: 'EXPIRED', actors: ['system'] },
  /** After too many wrong delivery codes, a dispatcher may let the driver hand over without one (with a reason). */
  overrideDeliveryCode: { from: ['AT_DROPOFF'], to: null, actors: ['dispatcher', 'admin'] },
};

/** Where an accepted quote goes: SCHEDULED while its dispatch time is still ahead, else DISPATCHING at once. */
export function acceptQuoteTarget(dispatchAt: string | null | undefined, now: number): DeliveryStatus {
  return dispatchAt && Date.parse(dispatchAt) > now ? 'SCHEDULED' : 'DISPATCHING';
}

/** The status an action moves a delivery to; null when it keeps the one it has (see TRANSITIONS). */
export function targetOf(action: DeliveryAction): DeliveryStatus | null {
  return TRANSITIONS[action].to;
}

/** Customers may cancel only before the parcel is picked up; dispatchers until it is delivered. */
const CUSTOMER_CANCEL_FROM: readonly DeliveryStatus[] = BEFORE_PICKUP;

/** Driver milestones as the API names them (`POST /deliveries/:id/milestones {type}`). */
export const MILESTONE_TYPES = [
  'accept_offer',
  'decline_offer',
  'arrived_pickup',
  'picked_up',
  'arrived_dropoff',
  'delivered',
  'attempt_failed',
  'returned',
] as const;
export type MilestoneType = (typeof MILESTONE_TYPES)[number];

export const MILESTONE_ACTIONS: Record<MilestoneType, DeliveryAction> = {
  accept_offer: 'acceptOffer',
  decline_offer: 'declineOffer',
  arrived_pickup: 'arrivedAtPickup',
  picked_up: 'confirmPickup',
  arrived_dropoff: 'arrivedAtDropoff',
  delivered: 'confirmDelivery',
  attempt_failed: 'reportFailedAttempt',
  returned: 'confirmReturn',
};

export function isTerminal(status: DeliveryStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** What the acting party knows about the delivery, enough to decide who may act. */
export interface TransitionSubject {
  status: DeliveryStatus;
  customerId: string;
  driverId?: string | null;
  offeredDriverId?: string | null;
}

export interface TransitionActor {
  kind: ActorKind;
  userId?: string;
  driverId?: string;
}

export type TransitionDenial =
  | { code: 'INVALID_TRANSITION'; message: string }
  | { code: 'FORBIDDEN'; message: string }
  | { code: 'NOT_YOUR_DELIVERY'; message: string };

/** Returns null when the actor may take the action now, or why not. */
export function checkTransition(
  subject: TransitionSubject,
  action: DeliveryAction,
  actor: TransitionActor,
): TransitionDenial | null {
  const rule = TRANSITIONS[action];
  if (!rule.actors.includes(actor.kind)) {
    return { code: 'FORBIDDEN', message: `${actor.kind} may not ${action}` };
  }
  if (rule.ownerBound && actor.kind === 'customer' && actor.userId !== subject.customerId) {
    return { code: 'NOT_YOUR_DELIVERY', message: 'this delivery belongs to another customer' };
  }
  if (rule.driverBound === 'offered' && (!actor.driverId || actor.driverId !== subject.offeredDriverId)) {
    return { code: 'NOT_YOUR_DELIVERY', message: 'there is no open offer of this delivery to you' };
  }
  if (rule.driverBound === 'assigned' && (!actor.driverId || actor.driverId !== subject.driverId)) {
    return { code: 'NOT_YOUR_DELIVERY', message: 'this delivery is not assigned to you' };
  }
  const allowedFrom = action === 'cancel' && actor.kind === 'customer' ? CUSTOMER_CANCEL_FROM : rule.from;
  if (!allowedFrom.includes(subject.status)) {
    return { code: 'INVALID_TRANSITION', message: `cannot ${action} a delivery that is ${subject.status}` };
  }
  return null;
}

/**
 * A driver accepting an offer of a delivery they already hold (a double tap, a retry after a lost answer):
 * answered with the delivery as it is, not refused as if the offer were lost.
 */
export function isRepeatedAcceptance(subject: TransitionSubject, action: DeliveryAction, actor: TransitionActor): boolean {
  return action === 'acceptOffer' && actor.kind === 'driver' && Boolean(actor.driverId) && actor.driverId === subject.driverId && !isTerminal(subject.status);
}

/** Milestones whose transition keeps the proof sent with them; a proof sent with any other is not stored. */
export const PROOF_MILESTONES: readonly MilestoneType[] = ['picked_up', 'delivered', 'returned'];

/** The actions an actor could take right now: what the pages render as buttons. */
export function availableActions(subject: TransitionSubject, actor: TransitionActor): DeliveryAction[] {
  return (Object.keys(TRANSITIONS) as DeliveryAction[]).filter((a) => checkTransition(subject, a, actor) === null);
}

/** The milestones a driver could tap right now. */
export function availableMilestones(subject: TransitionSubject, actor: TransitionActor): MilestoneType[] {
  return MILESTONE_TYPES.filter((m) => checkTransition(subject, MILESTONE_ACTIONS[m], actor) === null);
}
