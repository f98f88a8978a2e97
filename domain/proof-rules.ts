/**
 * What proof each hand-over needs (the documented policy, docs/DISPATCH-RULES.md). Pure, so the workflow's
 * validators, the API and the driver's page all read the same rules.
 */
import type { Proof } from './delivery.js';
import { haversineKm } from './geo.js';
import type { DeliveryAction } from './status.js';

export type ProofPart = 'recipientName' | 'senderName' | 'signatureOrPhoto' | 'photo' | 'deliveryCode';

/** What a driver gives at a hand-over, as the workflow sees it (images by id, the code by its hash). */
export type GivenProof = Omit<Proof, 'at'>;

export interface ProofContext {
  leaveAtDoor?: boolean;
  codeRequired?: boolean;
  /** A dispatcher let this delivery go without its code. */
  codeOverridden?: boolean;
}

/**
 * The parts of proof an action requires:
 * - picked_up: the sender's name (recipientName names who handed it over), or a signature or photo;
 * - delivered: the recipient's name and a signature or photo; left at the door, a photo; plus the
 *   delivery code when the delivery has one;
 * - returned: a signature or photo from the sender.
 */
export function requiredProof(action: DeliveryAction, context: ProofContext): ProofPart[][] {
  switch (action) {
    case 'confirmPickup':
      return [['senderName', 'signatureOrPhoto']];
    case 'confirmDelivery': {
      const parts: ProofPart[][] = context.leaveAtDoor ? [['photo']] : [['recipientName'], ['signatureOrPhoto']];
      if (context.codeRequired && !context.codeOverridden) parts.push(['deliveryCode']);
      return parts;
    }
    case 'confirmReturn':
      return [['signatureOrPhoto']];
    default:
      return [];
  }
}

function has(part: ProofPart, proof: GivenProof | undefined): boolean {
  switch (part) {
    case 'recipientName':
    case 'senderName':
      return Boolean(proof?.recipientName);
    case 'signatureOrPhoto':
      return Boolean(proof?.signatureId || proof?.photoId);
    case 'photo':
      return Boolean(proof?.photoId);
    case 'deliveryCode':
      return Boolean(proof?.codeHash);
  }
}

const LABELS: Record<ProofPart, string> = {
  recipientName: "the recipient's name",
  senderName: "the sender's name",
  signatureOrPhoto: 'a signature or a photo',
  photo: 'a photo',
  deliveryCode: 'the delivery code',
};

/** Each requirement not met, as "a or b": empty when the proof is enough. Every part of a group is an alternative. */
export function missingProof(action: DeliveryAction, context: ProofContext, proof: GivenProof | undefined): ProofPart[][] {
  return requiredProof(action, context).filter((group) => !group.some((part) => has(part, proof)));
}

export function describeMissing(missing: ProofPart[][]): string {
  return `proof missing: ${missing.map((group) => group.map((p) => LABELS[p]).join(' or ')).join('; ')}`;
}

/**
 * A milestone whose location lies farther than this from its stop is accepted but flagged on the
 * timeline and raised to the dispatcher: refusing it would strand a driver whose phone's fix is poor
 * (urban canyons, indoors, offline taps sent later), with the parcel in hand.
 */
export function distanceFromStopM(location: { lat: number; lng: number } | undefined, stop: { lat: number; lng: number }): number | null {
  if (!location) return null;
  return Math.round(haversineKm(location, stop) * 1000);
}
