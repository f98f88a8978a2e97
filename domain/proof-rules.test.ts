import { describe, expect, it } from 'vitest';
import { describeMissing, distanceFromStopM, missingProof } from './proof-rules.js';

describe('proof rules', () => {
  it('asks a hand-over for the name and a signature or photo', () => {
    expect(missingProof('confirmDelivery', {}, undefined)).toEqual([['recipientName'], ['signatureOrPhoto']]);
    expect(missingProof('confirmDelivery', {}, { recipientName: 'Maria' })).toEqual([['signatureOrPhoto']]);
    expect(missingProof('confirmDelivery', {}, { recipientName: 'Maria', photoId: 'p' })).toEqual([]);
    // An entered code is not proof of a hand-over.
    expect(missingProof('confirmDelivery', {}, { otpVerified: false })).toHaveLength(2);
  });

  it('asks for a photo when the parcel may be left at the door, and for the code when there is one', () => {
    expect(missingProof('confirmDelivery', { leaveAtDoor: true }, { recipientName: 'Maria', signatureId: 's' })).toEqual([['photo']]);
    expect(missingProof('confirmDelivery', { codeRequired: true }, { recipientName: 'Maria', signatureId: 's' })).toEqual([['deliveryCode']]);
    expect(missingProof('confirmDelivery', { codeRequired: true, codeOverridden: true }, { recipientName: 'Maria', signatureId: 's' })).toEqual([]);
  });

  it('takes the sender\'s name, a signature or a photo at pickup, a signature or photo on return', () => {
    expect(missingProof('confirmPickup', {}, undefined)).toEqual([['senderName', 'signatureOrPhoto']]);
    expect(missingProof('confirmPickup', {}, { photoId: 'p' })).toEqual([]);
    expect(missingProof('confirmReturn', {}, { recipientName: 'Pat' })).toEqual([['signatureOrPhoto']]);
    expect(missingProof('arrivedAtPickup', {}, undefined)).toEqual([]);
  });

  it('names what is missing for people', () => {
    expect(describeMissing([['recipientName'], ['signatureOrPhoto']])).toBe("proof missing: the recipient's name; a signature or a photo");
  });

  it('measures a location against its stop', () => {
    expect(distanceFromStopM(undefined, { lat: 0, lng: 0 })).toBeNull();
    expect(distanceFromStopM({ lat: 52.52, lng: 13.405 }, { lat: 52.52, lng: 13.405 })).toBe(0);
    expect(distanceFromStopM({ lat: 52.53, lng: 13.405 }, { lat: 52.52, lng: 13.405 })).toBeGreaterThan(1000);
  });
});
