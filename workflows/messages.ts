/** The delivery workflow's Updates and Query: imported by the workflow and by the API's client. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, DeliveryChange, DeliveryState, Proof, SlimTransitionRecord, TimelineEvent, TransitionRecord } from '../domain/delivery.js';
import type { DeliveryAction } from '../domain/status.js';

export interface ActionArgs {
  actor: Actor;
  /** When the driver says it happened (offline taps carry their original time). */
  at?: string;
  location?: { lat: number; lng: number };
  proof?: Omit<Proof, 'at'>;
  reason?: string;
  driverId?: string;
}

/**
 * What an action's Update answers once its transition is in the read model: the delivery now, and the
 * transition with the delivery as of it, so the API can push that to screens at once. `applied` is
 * missing when the transition is no longer at hand (workers older than it, or a long cancellation).
 * `applied.state` is sent only when later transitions moved the delivery on; absent, it is the delivery
 * now, and every answer in history carries one snapshot instead of two.
 */
export type FullActionResult = DeliveryState & { applied?: { event: TimelineEvent; state?: DeliveryState } };

/**
 * The same answer from deliveries started lean (workflows/delivery/state.ts): each state without its
 * booking, which the API read before it sent the Update.
 */
export interface LeanActionResult {
  change: DeliveryChange;
  applied?: { event: TimelineEvent; change?: DeliveryChange };
}

/**
 * The answer of deliveries whose caller records a person's change: the transitions the Update made (and
 * any the delivery made in the same workflow task before it), for the caller to write to the read model
 * before it answers. `seq` is the caller's own; the last transition is the delivery now.
 */
export interface HandedActionResult {
  seq: number;
  transitions: Array<TransitionRecord | SlimTransitionRecord>;
}

export type ActionResult = FullActionResult | LeanActionResult | HandedActionResult;

/** Actions a person can take through an Update; the remaining ones are the workflow's own timers. */
export type PersonAction = Exclude<DeliveryAction, 'reattempt' | 'startReturn' | 'expireQuote' | 'startDispatch'>;

export const acceptQuoteUpdate = defineUpdate<ActionResult, [ActionArgs]>('acceptQuote');
export const acceptOfferUpdate = defineUpdate<ActionResult, [ActionArgs]>('acceptOffer');
export const declineOfferUpdate = defineUpdate<ActionResult, [ActionArgs]>('declineOffer');
export const assignDriverUpdate = defineUpdate<ActionResult, [ActionArgs]>('assignDriver');
export const arrivedAtPickupUpdate = defineUpdate<ActionResult, [ActionArgs]>('arrivedAtPickup');
export const confirmPickupUpdate = defineUpdate<ActionResult, [ActionArgs]>('confirmPickup');
export const arrivedAtDropoffUpdate = defineUpdate<ActionResult, [ActionArgs]>('arrivedAtDropoff');
export const confirmDeliveryUpdate = defineUpdate<ActionResult, [ActionArgs]>('confirmDelivery');
export const reportFailedAttemptUpdate = defineUpdate<ActionResult, [ActionArgs]>('reportFailedAttempt');
export const confirmReturnUpdate = defineUpdate<ActionResult, [ActionArgs]>('confirmReturn');
export const cancelUpdate = defineUpdate<ActionResult, [ActionArgs]>('cancel');
export const overrideDeliveryCodeUpdate = defineUpdate<ActionResult, [ActionArgs]>('overrideDeliveryCode');
/**
 * Asked by the caller that started the delivery: with `callerRecords`, the delivery hands its first
 * transitions over for the caller to record (when it records through its caller and has not recorded
 * them already); otherwise it answers once the first transition is in the read model.
 */
export interface QuoteRecordedArgs {
  callerRecords?: boolean;
}
export const quoteRecordedUpdate = defineUpdate<DeliveryState | HandedActionResult, [QuoteRecordedArgs]>('quoteRecorded');

export const actionUpdates = {
  acceptQuote: acceptQuoteUpdate,
  acceptOffer: acceptOfferUpdate,
  declineOffer: declineOfferUpdate,
  assignDriver: assignDriverUpdate,
  arrivedAtPickup: arrivedAtPickupUpdate,
  confirmPickup: confirmPickupUpdate,
  arrivedAtDropoff: arrivedAtDropoffUpdate,
  confirmDelivery: confirmDeliveryUpdate,
  reportFailedAttempt: reportFailedAttemptUpdate,
  confirmReturn: confirmReturnUpdate,
  cancel: cancelUpdate,
  overrideDeliveryCode: overrideDeliveryCodeUpdate,
} as const satisfies Record<PersonAction, unknown>;

export const stateQuery = defineQuery<DeliveryState>('state');
/**
 * This run's timeline, for rebuilding a read model after a restore: a lean delivery records through local
 * activities, whose inputs its history does not keep (scripts/lib/dr/catch-up.ts).
 */
export const timelineQuery = defineQuery<TimelineEvent[]>('timeline');
/**
 * The latest transitions with the delivery as each left it: what an API that stopped before recording an
 * Update's answer left out of the read model (api/services/updates-in-flight.ts).
 */
export const recentTransitionsQuery = defineQuery<Array<TransitionRecord | SlimTransitionRecord>>('recentTransitions');
