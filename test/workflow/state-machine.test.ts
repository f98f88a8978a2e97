/**
 * The delivery state machine on its own: the workflow on the dev server with stubbed activities, driven
 * by its Updates as the API would drive it. Short timings stand in for the clock (a dev server cannot skip time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/delivery.js';
import type { RankedCandidate } from '../../domain/scoring.js';
import { actionUpdates, quoteRecordedUpdate, stateQuery } from '../../workflows/messages.js';
import { startStubbedDeliveries, type Calls, type StubbedDeliveries } from './stubbed-worker.js';

const customer: Actor = { kind: 'customer', userId: 'customer-1' };
const dispatcher: Actor = { kind: 'dispatcher', userId: 'dispatcher-1', name: 'Dana' };
const driver = (driverId: string): Actor => ({ kind: 'driver', driverId });
const candidate = (driverId: string, score: number): RankedCandidate => ({ driverId, name: `Driver ${driverId}`, score, distanceKm: 1 });
const HANDED_OVER = { recipientName: 'Maria Lopez', signatureId: '00000000-0000-4000-8000-000000000001' };

const types = (calls: Calls) => calls.recorded.map((r) => r.type);

let deliveries: StubbedDeliveries;
beforeAll(async () => {
  deliveries = await startStubbedDeliveries();
});
afterAll(async () => {
  await deliveries?.close();
});

describe('the delivery state machine, with stubbed activities', () => {
  it('walks quote → offer → pickup → delivered, each Update answering once its transition is recorded', async () => {
    const { handle, calls, act } = await deliveries.start({ candidates: [candidate('d1', 0.9)] });
    const accepted = await act(actionUpdates.acceptQuote, { actor: customer });
    expect(accepted.status).toBe('DISPATCHING');
    // It answers with its own transition, already in the read model.
    expect(accepted.applied?.event).toMatchObject({ seq: 2, type: 'quote_accepted' });
    expect(calls.recorded.map((r) => r.seq)).toContain(2);

    await expect.poll(async () => (await handle.query(stateQuery)).offer?.driverId, { timeout: 15_000 }).toBe('d1');
    const assigned = await act(actionUpdates.acceptOffer, { actor: driver('d1') });
    expect(assigned).toMatchObject({ status: 'ASSIGNED', driver: { id: 'd1', name: 'Driver d1' } });
    expect(assigned.applied?.event.type).toBe('assigned');

    expect((await act(actionUpdates.arrivedAtPickup, { actor: driver('d1') })).status).toBe('AT_PICKUP');
    const pickedUp = await act(actionUpdates.confirmPickup, { actor: driver('d1'), proof: { recipientName: 'Pat Baker' } });
    expect(pickedUp.status).toBe('IN_TRANSIT');
    expect(pickedUp.eta).toBeTruthy();
    expect(pickedUp.promisedBy).toBeTruthy();
    expect((await act(actionUpdates.arrivedAtDropoff, { actor: driver('d1') })).status).toBe('AT_DROPOFF');
    const delivered = await act(actionUpdates.confirmDelivery, { actor: driver('d1'), proof: HANDED_OVER });
    expect(delivered).toMatchObject({ status: 'DELIVERED', proof: { recipientName: 'Maria Lopez' } });
    // Its own transition is the latest: the answer carries the delivery once, not a second copy as of it.
    expect(delivered.applied).toEqual({ event: expect.objectContaining({ seq: 8, type: 'delivered' }) });

    const final = await handle.result();
    expect(final.status).toBe('DELIVERED');
    expect(types(calls)).toEqual(['quoted', 'quote_accepted', 'offer_sent', 'assigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered']);
    expect(calls.recorded.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Everything recorded is published too, in the same order, before the workflow closes.
    expect(calls.published.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Delivered: no compensation runs, the driver's release is the read model's business.
    expect(calls.effects).toEqual(['findCandidates excluding []']);
  });

  it('refuses an action the state machine does not allow, before anything is written', async () => {
    const { handle, calls, act } = await deliveries.start({});
    await handle.executeUpdate(quoteRecordedUpdate, { args: [{}] });
    // A quote not yet accepted cannot be assigned, and a driver cannot act on a delivery that is not theirs.
    await expect(act(actionUpdates.assignDriver, { actor: dispatcher, driverId: 'd1' })).rejects.toMatchObject({ cause: { type: 'INVALID_TRANSITION' } });
    await expect(act(actionUpdates.confirmPickup, { actor: driver('d1'), proof: { recipientName: 'x' } })).rejects.toMatchObject({ cause: { type: 'NOT_YOUR_DELIVERY' } });
    expect(types(calls)).toEqual(['quoted']);
    await act(actionUpdates.cancel, { actor: customer, reason: 'changed my mind' });
    expect((await handle.result()).status).toBe('CANCELLED');
    expect(types(calls)).toEqual(['quoted', 'cancelled']);
  });

  it('offers the next driver when the first declines', async () => {
    const { handle, calls, act } = await deliveries.start({ candidates: [candidate('d1', 0.9), candidate('d2', 0.7)], autoAccept: true });
    await expect.poll(async () => (await handle.query(stateQuery)).offer?.driverId, { timeout: 15_000 }).toBe('d1');
    const declined = await act(actionUpdates.declineOffer, { actor: driver('d1'), reason: 'too far' });
    expect(declined).toMatchObject({ status: 'DISPATCHING', declinedDriverIds: ['d1'] });

    await expect.poll(async () => (await handle.query(stateQuery)).offer?.driverId, { timeout: 15_000 }).toBe('d2');
    // The driver who declined cannot take it back.
    await expect(act(actionUpdates.acceptOffer, { actor: driver('d1') })).rejects.toMatchObject({ cause: { type: 'NOT_YOUR_DELIVERY' } });
    const assigned = await act(actionUpdates.acceptOffer, { actor: driver('d2') });
    expect(assigned).toMatchObject({ status: 'ASSIGNED', driver: { id: 'd2' } });
    const offers = calls.recorded.filter((r) => r.type === 'offer_sent' || r.type === 'offer_declined').map((r) => `${r.type} ${String(r.data.driverId)}`);
    expect(offers).toEqual(['offer_sent d1', 'offer_declined d1', 'offer_sent d2']);

    await act(actionUpdates.cancel, { actor: dispatcher, reason: 'test over' });
    await handle.result();
  });

  it('cancelled after assignment, releases the driver and voids the quote, in reverse order, after the cancellation is recorded', async () => {
    const { handle, calls, act } = await deliveries.start({ candidates: [candidate('d1', 0.9)], autoAccept: true });
    await expect.poll(async () => (await handle.query(stateQuery)).offer?.driverId, { timeout: 15_000 }).toBe('d1');
    await act(actionUpdates.acceptOffer, { actor: driver('d1') });
    // A dispatcher reassigns: the first driver is released at once, and the saga now holds the second.
    const reassigned = await act(actionUpdates.assignDriver, { actor: dispatcher, driverId: 'd9' });
    expect(reassigned).toMatchObject({ status: 'ASSIGNED', driver: { id: 'd9' } });

    const effectsBefore = calls.effects.length;
    const cancelled = await act(actionUpdates.cancel, { actor: customer, reason: 'no longer needed' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellation: { by: 'customer', reason: 'no longer needed' } });
    expect(cancelled.quote.voidedAt).toBeTruthy();
    // The Update answers after its compensations ran.
    expect(calls.effects.slice(effectsBefore)).toEqual(['releaseDriver d9: cancelled: no longer needed', 'voidQuote']);
    expect(calls.effects).toContain('releaseDriver d1: reassigned');
    expect((await handle.result()).status).toBe('CANCELLED');
    expect(types(calls)).toEqual(['quoted', 'quote_accepted', 'offer_sent', 'assigned', 'reassigned', 'cancelled']);
  });

  it('after a failed attempt with none left, starts the return and ends RETURNED', async () => {
    const { handle, calls, act } = await deliveries.start({ candidates: [candidate('d1', 0.9)], autoAccept: true, timings: { maxAttempts: 1 } });
    await expect.poll(async () => (await handle.query(stateQuery)).offer?.driverId, { timeout: 15_000 }).toBe('d1');
    for (const [action, args] of [
      ['acceptOffer', {}],
      ['arrivedAtPickup', {}],
      ['confirmPickup', { proof: { recipientName: 'Pat Baker' } }],
      ['arrivedAtDropoff', {}],
    ] as const) {
      await act(actionUpdates[action], { actor: driver('d1'), ...args });
    }
    const failed = await act(actionUpdates.reportFailedAttempt, { actor: driver('d1'), reason: 'nobody home' });
    expect(failed).toMatchObject({ attempts: 1 });
    await expect.poll(async () => (await handle.query(stateQuery)).status, { timeout: 15_000 }).toBe('RETURNING');
    // The return needs the sender's signature or a photo.
    await expect(act(actionUpdates.confirmReturn, { actor: driver('d1') })).rejects.toMatchObject({ cause: { type: 'PROOF_REQUIRED' } });
    const returned = await act(actionUpdates.confirmReturn, { actor: driver('d1'), proof: { photoId: '00000000-0000-4000-8000-000000000002' } });
    expect(returned.status).toBe('RETURNED');
    expect((await handle.result()).status).toBe('RETURNED');
    expect(types(calls).slice(-4)).toEqual(['attempt_failed', 'alert', 'return_started', 'returned']);
    expect(calls.recorded.find((r) => r.type === 'alert')?.data).toMatchObject({ kind: 'attempt_failed' });
  });

  it('expires an unaccepted quote and voids it', async () => {
    const { handle, calls, act } = await deliveries.start({ timings: { quoteTtlMs: 1_500 } });
    const final = await handle.result();
    expect(final.status).toBe('EXPIRED');
    expect(final.quote.voidedAt).toBeTruthy();
    expect(types(calls)).toEqual(['quoted', 'expired']);
    expect(calls.effects).toEqual(['voidQuote']);
    // Too late to accept.
    await expect(act(actionUpdates.acceptQuote, { actor: customer })).rejects.toThrow();
  });
});
