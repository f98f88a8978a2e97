/** The delivery workflow's Updates and Query: imported by the workflow and by the API's client. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, DeliveryState, Proof } from '../domain/delivery.js';
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

/** Actions a person can take through an Update; the remaining ones are the workflow's own timers. */
export type PersonAction = Exclude<DeliveryAction, 'reattempt' | 'startReturn' | 'expireQuote'>;

export const acceptQuoteUpdate = defineUpdate<DeliveryState, [ActionArgs]>('acceptQuote');
export const acceptOfferUpdate = defineUpdate<DeliveryState, [ActionArgs]>('acceptOffer');
export const declineOfferUpdate = defineUpdate<DeliveryState, [ActionArgs]>('declineOffer');
export const assignDriverUpdate = defineUpdate<DeliveryState, [ActionArgs]>('assignDriver');
export const arrivedAtPickupUpdate = defineUpdate<DeliveryState, [ActionArgs]>('arrivedAtPickup');
export const confirmPickupUpdate = defineUpdate<DeliveryState, [ActionArgs]>('confirmPickup');
export const arrivedAtDropoffUpdate = defineUpdate<DeliveryState, [ActionArgs]>('arrivedAtDropoff');
export const confirmDeliveryUpdate = defineUpdate<DeliveryState, [ActionArgs]>('confirmDelivery');
export const reportFailedAttemptUpdate = defineUpdate<DeliveryState, [ActionArgs]>('reportFailedAttempt');
export const confirmReturnUpdate = defineUpdate<DeliveryState, [ActionArgs]>('confirmReturn');
export const cancelUpdate = defineUpdate<DeliveryState, [ActionArgs]>('cancel');
/** Returns once the delivery's first transition is in the read model, so the API can answer at once. */
export const quoteRecordedUpdate = defineUpdate<DeliveryState, []>('quoteRecorded');

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
} as const satisfies Record<PersonAction, unknown>;

export const stateQuery = defineQuery<DeliveryState>('state');
