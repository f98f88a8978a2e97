/**
 * What people do to a delivery, as Updates. Validators reject with a precise reason before anything is
 * written to history; the domain's transition table decides who may act and where each action leads.
 * An Update answers once its transition is in the read model, or, for deliveries whose caller records
 * a person's change, with the transitions for the caller to record.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { changeOf, timelineEventOf } from '../../domain/delivery.js';
import { arrivalAfter, estimateArrival } from '../../domain/geo.js';
import { describeMissing, missingProof } from '../../domain/proof-rules.js';
import { acceptQuoteTarget, checkTransition, isRepeatedAcceptance, type DeliveryAction } from '../../domain/status.js';
import type { TimelineEventType } from '../../domain/timeline.js';
import { actionUpdates, quoteRecordedUpdate, recentTransitionsQuery, stateQuery, timelineQuery, type ActionArgs, type ActionResult, type PersonAction, type QuoteRecordedArgs } from '../messages.js';
import { acts } from './activities.js';
import { alertIfFar, keptProof, placeData } from './evidence.js';
import { now, onTheWire, snapshotOf, type Ledger } from './state.js';
import { checkDropoffWindow } from './watchers.js';

/** Slack added to the ETA to make the promise shown to customers, by priority. */
const PROMISE_SLACK_MS = { standard: 60 * 60_000, express: 30 * 60_000, urgent: 15 * 60_000 } as const;

const refuse = (type: string, message: string, details?: unknown[]) => ApplicationFailure.create({ type, message, nonRetryable: true, ...(details ? { details } : {}) });

export function registerActions(d: Ledger): void {
  const { state, input } = d;
  const maxCodeTries = input.timings.maxCodeTries ?? 5;
  const codeLocked = () => Boolean(state.codeRequired && !state.codeOverride && (state.codeFailures ?? 0) >= maxCodeTries);

  /** The driver at a stop: recorded with where the tap came from, and an alert when that is far from the stop. */
  const arrivedAt = (type: TimelineEventType, action: DeliveryAction, stop: 'pickup' | 'dropoff') => async (args: ActionArgs) => {
    const seq = d.transition(type, args.actor, d.moveBy(action), placeData(d, state[stop], args), args.at);
    alertIfFar(d, type, state[stop], args);
    return seq;
  };

  function validate(action: DeliveryAction, args: ActionArgs): void {
    const subject = { status: state.status, customerId: state.customerId, driverId: state.driver?.id, offeredDriverId: state.offer?.driverId };
    const actor = { kind: args.actor.kind, userId: args.actor.userId, driverId: args.actor.driverId };
    if (isRepeatedAcceptance(subject, action, actor)) return;
    const denial = checkTransition(subject, action, actor);
    if (denial) throw refuse(denial.code, denial.message);
    if (action === 'confirmDelivery' && codeLocked()) {
      throw refuse('DELIVERY_CODE_LOCKED', `${maxCodeTries} wrong delivery codes: report a failed attempt, or ask a dispatcher to override`);
    }
    const missing = missingProof(action, { leaveAtDoor: state.leaveAtDoor, codeRequired: state.codeRequired, codeOverridden: Boolean(state.codeOverride) }, args.proof);
    if (missing.length > 0) throw refuse('PROOF_REQUIRED', describeMissing(missing), [{ missing }]);
    if (action === 'overrideDeliveryCode') {
      if (!state.codeRequired) throw refuse('INVALID_TRANSITION', 'this delivery has no delivery code');
      if (!args.reason) throw refuse('VALIDATION', 'a reason is required');
    }
    if (action === 'assignDriver') {
      if (!args.driverId) throw refuse('VALIDATION', 'driverId is required');
      if (args.driverId === state.driver?.id) throw refuse('INVALID_TRANSITION', 'that driver is already assigned');
    }
  }

  /** Each action applies its transition and returns its seq, which the Update waits to see recorded. */
  const handlers: Record<PersonAction, (args: ActionArgs) => Promise<number>> = {
    acceptQuote: async (args) => d.transition('quote_accepted', args.actor, () => {
      state.status = acceptQuoteTarget(state.dispatchAt, Date.now());
    }),
    acceptOffer: async (args) => {
      // Already theirs: nothing changes, the answer is the delivery once all it did so far is recorded.
      if (state.driver && state.driver.id === args.actor.driverId) return state.seq;
      const offer = state.offer!;
      return d.transition('assigned', args.actor, () => {
        state.driver = { id: offer.driverId, name: offer.name };
        state.offer = null;
        d.move('acceptOffer');
        d.compensations.push({ kind: 'releaseDriver', driverId: offer.driverId });
      }, { driverId: offer.driverId, via: 'offer' });
    },
    declineOffer: async (args) => {
      const offer = state.offer!;
      return d.transition('offer_declined', args.actor, () => {
        state.declinedDriverIds.push(offer.driverId);
        state.offer = null;
      }, { driverId: offer.driverId, reason: args.reason ?? null });
    },
    assignDriver: async (args) => {
      const driver = await acts.loadDriver(args.driverId!);
      const previous = state.driver;
      // The activity took time: re-check that the move is still allowed.
      validate('assignDriver', args);
      const seq = d.transition(previous ? 'reassigned' : 'assigned', args.actor, () => {
        state.driver = driver;
        state.offer = null;
        d.move('assignDriver');
        if (previous) d.dropDriverCompensation(previous.id);
        d.compensations.push({ kind: 'releaseDriver', driverId: driver.id });
      }, { driverId: driver.id, previousDriverId: previous?.id ?? null, via: 'dispatcher' });
      if (previous) await acts.releaseDriver({ deliveryId: state.deliveryId, driverId: previous.id, reason: 'reassigned' });
      return seq;
    },
    arrivedAtPickup: arrivedAt('arrived_pickup', 'arrivedAtPickup', 'pickup'),
    confirmPickup: async (args) => {
      const at = args.at ?? now();
      const seq = d.transition('picked_up', args.actor, () => {
        d.move('confirmPickup');
        // A router's road distance from the quote when it gave one; older quotes carry no flag and were estimates.
        state.eta = state.quote.estimated === false ? arrivalAfter(state.quote.distanceKm, at) : estimateArrival(state.pickup, state.dropoff, at);
        state.promisedBy = input.timings.deliveryPromiseMs
          ? new Date(Date.parse(at) + input.timings.deliveryPromiseMs).toISOString()
          : new Date(Date.parse(state.eta) + PROMISE_SLACK_MS[state.priority]).toISOString();
      }, { ...placeData(d, state.pickup, args), proof: args.proof ?? null, etaEstimated: state.quote.estimated !== false }, at);
      alertIfFar(d, 'picked_up', state.pickup, args);
      checkDropoffWindow(d);
      return seq;
    },
    arrivedAtDropoff: arrivedAt('arrived_dropoff', 'arrivedAtDropoff', 'dropoff'),
    confirmDelivery: async (args) => {
      const at = args.at ?? now();
      const checkCode = Boolean(state.codeRequired && !state.codeOverride);
      if (checkCode && args.proof?.codeHash !== input.deliveryCodeHash) {
        // A wrong code is history (it counts toward the lock), but the hand-over does not happen.
        const failures = (state.codeFailures ?? 0) + 1;
        const triesLeft = Math.max(0, maxCodeTries - failures);
        const seq = d.transition('delivery_code_rejected', args.actor, () => {
          state.codeFailures = failures;
        }, { triesLeft }, at);
        if (triesLeft === 0) d.raiseAlert('delivery_code_locked', `${maxCodeTries} wrong delivery codes at ${state.dropoff.address}`);
        await d.recorded(state.seq);
        throw refuse(
          'DELIVERY_CODE_MISMATCH',
          triesLeft > 0 ? `the delivery code does not match; ${triesLeft} tries left` : 'the delivery code does not match; no tries left',
          [{ triesLeft, seq }],
        );
      }
      const seq = d.transition('delivered', args.actor, () => {
        d.move('confirmDelivery');
        state.proof = keptProof(args.proof, at, checkCode);
        d.compensations.length = 0;
      }, { ...placeData(d, state.dropoff, args), proof: keptProof(args.proof, at, checkCode) }, at);
      alertIfFar(d, 'delivered', state.dropoff, args);
      return seq;
    },
    reportFailedAttempt: async (args) => {
      const seq = d.transition('attempt_failed', args.actor, () => {
        d.move('reportFailedAttempt');
        state.attempts += 1;
        // The next attempt may meet someone who has the code.
        if (state.codeFailures) state.codeFailures = 0;
      }, { ...placeData(d, state.dropoff, args), reason: args.reason ?? 'unspecified', attempt: state.attempts + 1 }, args.at);
      d.raiseAlert('attempt_failed', `attempt ${state.attempts} failed: ${args.reason ?? 'unspecified'}`);
      return seq;
    },
    confirmReturn: async (args) => {
      const at = args.at ?? now();
      return d.transition('returned', args.actor, () => {
        d.move('confirmReturn');
        state.proof = keptProof(args.proof, at, false);
        d.compensations.length = 0;
      }, { ...placeData(d, state.pickup, args), proof: keptProof(args.proof, at, false) }, at);
    },
    overrideDeliveryCode: async (args) => d.transition('delivery_code_overridden', args.actor, () => {
      state.codeOverride = { by: args.actor.name ?? args.actor.kind, reason: args.reason! };
    }, { reason: args.reason }),
    cancel: async (args) => {
      const reason = args.reason ?? 'no reason given';
      const seq = d.transition('cancelled', args.actor, () => {
        d.move('cancel');
        state.cancellation = { by: args.actor.kind, reason };
        state.quote.voidedAt = now();
        if (state.offer) {
          d.compensations.push({ kind: 'releaseDriver', driverId: state.offer.driverId });
          state.offer = null;
        }
      }, { reason });
      // Compensations touch the read model too: let the cancellation land there first.
      await d.recorded(seq);
      await d.runCompensations(`cancelled: ${reason}`);
      return seq;
    },
  };

  for (const action of Object.keys(actionUpdates) as PersonAction[]) {
    setHandler(
      actionUpdates[action],
      async (args: ActionArgs): Promise<ActionResult> => {
        const seq = await handlers[action](args);
        const handed = await d.handOverSettled(seq);
        if (handed) return { seq, transitions: handed.map(onTheWire) };
        await d.recorded(seq);
        return answer(d, seq);
      },
      { validator: (args: ActionArgs) => validate(action, args) },
    );
  }
  setHandler(quoteRecordedUpdate, async (asked?: QuoteRecordedArgs) => {
    // Sent with the start (update-with-start), by an API that records what it is handed.
    if (asked?.callerRecords) {
      const handed = await d.handOverSettled(1);
      if (handed) return { seq: 1, transitions: handed.map(onTheWire) };
    }
    await d.recorded(1);
    return snapshotOf(state);
  });
  setHandler(stateQuery, () => state);
  setHandler(timelineQuery, () => d.timeline);
  setHandler(recentTransitionsQuery, () => d.recentTransitions());
}

/** The delivery now and, when later transitions followed, as the caller's own transition left it. */
function answer(d: Ledger, seq: number): ActionResult {
  const now = snapshotOf(d.state);
  const own = d.recentTransition(seq);
  const event = own && timelineEventOf(own);
  if (d.lean) {
    const change = changeOf(now);
    if (!own || !event) return { change };
    return { change, applied: own.seq === now.seq ? { event } : { event, change: changeOf(own.snapshot) } };
  }
  if (!own || !event) return now;
  return { ...now, applied: own.seq === now.seq ? { event } : { event, state: own.snapshot } };
}
