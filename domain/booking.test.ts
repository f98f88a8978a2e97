import { describe, expect, it } from 'vitest';
import { BOOKING_FIELDS, slimTransition, withBooking, type Booking, type DeliveryState, type TransitionRecord } from './delivery.js';

const state: DeliveryState = {
  deliveryId: 'd-1', trackingCode: 'ABC123', customerId: 'c-1', organizationId: 'o-1', status: 'CANCELLED', seq: 5, delayed: false,
  priority: 'express', pickup: { address: 'Pickup 1', lat: 52.5, lng: 13.4 }, dropoff: { address: 'Drop-off 2', lat: 52.51, lng: 13.41 },
  parcel: { weightKg: 1, lengthCm: 10, widthCm: 10, heightCm: 10 }, notes: 'ring twice',
  quote: { amountCents: 990, currency: 'EUR', distanceKm: 1.2, breakdown: [], expiresAt: '2026-01-01T10:15:00.000Z', voidedAt: '2026-01-01T10:05:00.000Z' },
  driver: { id: 'dr-1', name: 'Hana' }, offer: null, declinedDriverIds: [], attempts: 0, eta: null, promisedBy: null, proof: null,
  cancellation: { by: 'customer', reason: 'no longer needed' }, alerts: [], createdAt: '2026-01-01T10:00:00.000Z', updatedAt: '2026-01-01T10:05:00.000Z',
  pickupWindow: null, dropoffWindow: null, dispatchAt: null, codeRequired: false, leaveAtDoor: false,
};
const record: TransitionRecord = { deliveryId: 'd-1', seq: 5, type: 'cancelled', at: state.updatedAt, actor: { kind: 'customer', userId: 'c-1' }, data: { reason: 'no longer needed' }, snapshot: state };

describe('slim transitions', () => {
  it('leave the booking behind and get it back whole', () => {
    const slim = slimTransition(record);
    for (const field of BOOKING_FIELDS) expect(slim.change).not.toHaveProperty(field);
    expect(slim.change.quoteVoidedAt).toBe(state.quote.voidedAt);
    // The stored booking's quote may be voided already, or not yet: the transition's own word counts.
    const booking = Object.fromEntries(BOOKING_FIELDS.map((f) => [f, state[f]])) as Booking;
    expect(withBooking(slim, { ...booking, quote: { ...state.quote, voidedAt: null } })).toEqual(record);
    const unvoided = slimTransition({ ...record, snapshot: { ...state, quote: { ...state.quote, voidedAt: undefined } } });
    expect(withBooking(unvoided, booking).snapshot.quote).not.toHaveProperty('voidedAt');
  });

  it('are smaller than the snapshot by the booking', () => {
    expect(JSON.stringify(slimTransition(record)).length).toBeLessThan(JSON.stringify(record).length / 2);
  });
});
