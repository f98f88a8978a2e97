/**
 * One delivery, from quote to its terminal status (DESIGN §4). People move it with Updates whose
 * validators read the domain transition table; timers move it when nobody does. Every transition is
 * written to the read model by one activity, strictly in `seq` order.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { DATA_REJECTED, timelineEventOf, type Actor, type Alert, type DeliveryState, type DeliveryWorkflowInput, type TransitionRecord } from '../domain/delivery.js';
import { arrivalAfter, estimateArrival } from '../domain/geo.js';
import type { RankedCandidate } from '../domain/scoring.js';
import { searchAttributes } from '../domain/search-attributes.js';
import { describeMissing, distanceFromStopM, missingProof } from '../domain/proof-rules.js';
import { acceptQuoteTarget, checkTransition, isRepeatedAcceptance, isTerminal, type DeliveryAction, type DeliveryStatus } from '../domain/status.js';
import type { Stop } from '../domain/schemas.js';
import { dispatchAtFor } from '../domain/windows.js';
import { actionUpdates, quoteRecordedUpdate, stateQuery, type ActionArgs, type ActionResult, type PersonAction } from './messages.js';

type Activities = ReturnType<typeof createActivities>;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
/** AI calls have their own deadline and few retries: a fallback always exists. */
const aiActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: ['AI_UNUSABLE'] },
});

const SYSTEM: Actor = { kind: 'system' };
/** Transitions kept for Updates to answer with (a cancellation's compensations add a few before it answers). */
const RECENT_KEPT = 16;
/** Slack added to the ETA to make the promise shown to customers, by priority. */
const PROMISE_SLACK_MS = { standard: 60 * 60_000, express: 30 * 60_000, urgent: 15 * 60_000 } as const;

type Compensation = { kind: 'releaseDriver'; driverId: string } | { kind: 'voidQuote' };

export interface DeliveryWorkflowResume {
  state: DeliveryState;
  compensations: Compensation[];
}

export async function deliveryWorkflow(input: DeliveryWorkflowInput, resume?: DeliveryWorkflowResume): Promise<DeliveryState> {
  const { timings } = input;
  const state: DeliveryState = resume?.state ?? initialState(input);
  const compensations: Compensation[] = resume?.compensations ?? [{ kind: 'voidQuote' }];
  const pending: TransitionRecord[] = [];
  const unpublished: TransitionRecord[] = [];
  /** The latest transitions, for Updates to answer with their own. */
  const recent: TransitionRecord[] = [];
  let recordedSeq = resume ? state.seq : 0;
  // Publishing (Socket.IO, queues) runs behind the read-model write, so a Redis outage never holds
  // up a driver's tap: the Update answers once Postgres has the change.
  const publishSeparately = patched('publish-after-record');
  let lastSearchKey = '';

  const now = () => new Date().toISOString();

  /** The end of the window the delivery works toward now; only deliveries booked with windows have one. */
  function windowEndsAt(): string | null {
    if (isTerminal(state.status)) return null;
    const beforePickup = ['QUOTED', 'SCHEDULED', 'DISPATCHING', 'ASSIGNED', 'AT_PICKUP'].includes(state.status);
    return (beforePickup ? state.pickupWindow?.to : state.dropoffWindow?.to) ?? null;
  }
  const hasWindows = Boolean(input.pickupWindow || input.dropoffWindow);

  function syncSearchAttributes(): void {
    // Deliveries without windows upsert exactly what they always did, so their histories replay unchanged.
    const windowKey = hasWindows ? [windowEndsAt(), state.windowAtRisk ?? false] : [];
    const key = [state.status, state.driver?.id, state.delayed, state.promisedBy, ...windowKey].join('|');
    if (key === lastSearchKey) return;
    lastSearchKey = key;
    const ends = windowEndsAt();
    upsertSearchAttributes([
      { key: searchAttributes.status, value: state.status },
      { key: searchAttributes.customerId, value: state.customerId },
      { key: searchAttributes.priority, value: state.priority },
      { key: searchAttributes.delayed, value: state.delayed },
      { key: searchAttributes.driverId, value: state.driver?.id ?? null },
      { key: searchAttributes.promisedBy, value: state.promisedBy ? new Date(state.promisedBy) : null },
      ...(hasWindows
        ? [
            { key: searchAttributes.windowEndsAt, value: ends ? new Date(ends) : null },
            { key: searchAttributes.windowAtRisk, value: state.windowAtRisk ?? false },
          ]
        : []),
    ]);
  }

  /** Applies a change and queues it for the read model; returns the seq to wait on. */
  function transition(type: string, actor: Actor, change: () => void, data: Record<string, unknown> = {}, at = now()): number {
    change();
    state.seq += 1;
    state.updatedAt = now();
    const { seq } = state;
    const record: TransitionRecord = { deliveryId: state.deliveryId, seq, type, at, actor, data, snapshot: snapshotOf(state) };
    pending.push(record);
    recent.push(record);
    if (recent.length > RECENT_KEPT) recent.shift();
    syncSearchAttributes();
    return seq;
  }

  function moveTo(status: DeliveryStatus): () => void {
    return () => {
      state.status = status;
    };
  }

  function raiseAlert(kind: Alert['kind'], message: string): void {
    const alert: Alert = { kind, message, at: now() };
    transition('alert', SYSTEM, () => state.alerts.push(alert), { ...alert });
  }

  async function recorder(): Promise<void> {
    for (;;) {
      await condition(() => pending.length > 0);
      const record = pending[0]!;
      let kept = true;
      try {
        if (publishSeparately) await acts.recordTransition(record, { publishSeparately: true });
        else await acts.recordTransition(record);
      } catch (err) {
        // The database refuses this record for good (the worker has raised an alert on the board). The
        // delivery goes on in Temporal, its source of truth; the read model stays at its last good change
        // and no caller waits on this one for ever.
        if (!isDataRejected(err)) throw err;
        kept = false;
        log.error('transition not recorded: the database refused it', { seq: record.seq, type: record.type, error: String(err) });
      }
      pending.shift();
      recordedSeq = record.seq;
      if (publishSeparately && kept) unpublished.push(record);
    }
  }

  async function publisher(): Promise<void> {
    for (;;) {
      await condition(() => unpublished.length > 0);
      await acts.publishTransition(unpublished[0]!);
      unpublished.shift();
    }
  }

  const settled = () => pending.length === 0 && unpublished.length === 0 && allHandlersFinished();

  const recorded = (seq: number) => condition(() => recordedSeq >= seq);

  async function runCompensations(reason: string): Promise<void> {
    while (compensations.length > 0) {
      const step = compensations.pop()!;
      if (step.kind === 'releaseDriver') {
        await acts.releaseDriver({ deliveryId: state.deliveryId, driverId: step.driverId, reason });
      } else {
        await acts.voidQuote({ deliveryId: state.deliveryId });
      }
    }
  }

  function dropDriverCompensation(driverId: string): void {
    const i = compensations.findIndex((c) => c.kind === 'releaseDriver' && c.driverId === driverId);
    if (i >= 0) compensations.splice(i, 1);
  }

  /** The location's distance from its stop when it is farther than the delivery tolerates, else null. */
  function farFrom(stop: Stop, args: ActionArgs): number | null {
    const limit = input.maxStopDistanceM;
    const distanceM = limit ? distanceFromStopM(args.location, stop) : null;
    return distanceM !== null && limit && distanceM > limit ? distanceM : null;
  }

  /** Timeline data of a milestone at a stop: its location, and a flag when it was far from the stop. */
  function placeData(stop: Stop, args: ActionArgs): Record<string, unknown> {
    const far = farFrom(stop, args);
    return far === null ? locationData(args) : { ...locationData(args), farFromStopM: far };
  }

  /** Raised after the milestone's own transition, so the flag and the alert follow it on the timeline. */
  function alertIfFar(type: string, stop: Stop, args: ActionArgs): void {
    const far = farFrom(stop, args);
    if (far !== null) raiseAlert('far_from_stop', `${type} reported ${far} m from ${stop.address}`);
  }

  const maxCodeTries = timings.maxCodeTries ?? 5;
  const codeLocked = () => Boolean(state.codeRequired && !state.codeOverride && (state.codeFailures ?? 0) >= maxCodeTries);

  /** Proof without its code hash: the timeline and the read model never carry it. */
  function keptProof(proof: ActionArgs['proof'], at: string, codeChecked: boolean) {
    const { codeHash: _hash, ...rest } = proof ?? {};
    return { ...rest, ...(codeChecked ? { otpVerified: true } : {}), at };
  }

  // --- Updates: validators reject with a precise reason before anything is written to history. ---

  function validate(action: DeliveryAction, args: ActionArgs): void {
    const subject = { status: state.status, customerId: state.customerId, driverId: state.driver?.id, offeredDriverId: state.offer?.driverId };
    const actor = { kind: args.actor.kind, userId: args.actor.userId, driverId: args.actor.driverId };
    if (isRepeatedAcceptance(subject, action, actor)) return;
    const denial = checkTransition(subject, action, actor);
    if (denial) throw ApplicationFailure.create({ type: denial.code, message: denial.message, nonRetryable: true });
    if (action === 'confirmDelivery' && codeLocked()) {
      throw ApplicationFailure.create({
        type: 'DELIVERY_CODE_LOCKED',
        message: `${maxCodeTries} wrong delivery codes: report a failed attempt, or ask a dispatcher to override`,
        nonRetryable: true,
      });
    }
    const missing = missingProof(action, {
      leaveAtDoor: state.leaveAtDoor,
      codeRequired: state.codeRequired,
      codeOverridden: Boolean(state.codeOverride),
    }, args.proof);
    if (missing.length > 0) {
      throw ApplicationFailure.create({ type: 'PROOF_REQUIRED', message: describeMissing(missing), details: [{ missing }], nonRetryable: true });
    }
    if (action === 'overrideDeliveryCode') {
      if (!state.codeRequired) throw ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: 'this delivery has no delivery code', nonRetryable: true });
      if (!args.reason) throw ApplicationFailure.create({ type: 'VALIDATION', message: 'a reason is required', nonRetryable: true });
    }
    if (action === 'assignDriver') {
      if (!args.driverId) throw ApplicationFailure.create({ type: 'VALIDATION', message: 'driverId is required', nonRetryable: true });
      if (args.driverId === state.driver?.id) {
        throw ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: 'that driver is already assigned', nonRetryable: true });
      }
    }
  }

  const handlers: Record<PersonAction, (args: ActionArgs) => Promise<number>> = {
    acceptQuote: async (args) => transition('quote_accepted', args.actor, moveTo(acceptQuoteTarget(state.dispatchAt, Date.now()))),
    acceptOffer: async (args) => {
      // Already theirs: nothing changes, the answer is the delivery once all it did so far is recorded.
      if (state.driver && state.driver.id === args.actor.driverId) return state.seq;
      const offer = state.offer!;
      return transition('assigned', args.actor, () => {
        state.driver = { id: offer.driverId, name: offer.name };
        state.offer = null;
        state.status = 'ASSIGNED';
        compensations.push({ kind: 'releaseDriver', driverId: offer.driverId });
      }, { driverId: offer.driverId, via: 'offer' });
    },
    declineOffer: async (args) => {
      const offer = state.offer!;
      return transition('offer_declined', args.actor, () => {
        state.declinedDriverIds.push(offer.driverId);
        state.offer = null;
      }, { driverId: offer.driverId, reason: args.reason ?? null });
    },
    assignDriver: async (args) => {
      const driver = await acts.loadDriver(args.driverId!);
      const previous = state.driver;
      // The activity took time: re-check that the move is still allowed.
      validate('assignDriver', args);
      const seq = transition(previous ? 'reassigned' : 'assigned', args.actor, () => {
        state.driver = driver;
        state.offer = null;
        state.status = 'ASSIGNED';
        if (previous) dropDriverCompensation(previous.id);
        compensations.push({ kind: 'releaseDriver', driverId: driver.id });
      }, { driverId: driver.id, previousDriverId: previous?.id ?? null, via: 'dispatcher' });
      if (previous) await acts.releaseDriver({ deliveryId: state.deliveryId, driverId: previous.id, reason: 'reassigned' });
      return seq;
    },
    arrivedAtPickup: async (args) => {
      const seq = transition('arrived_pickup', args.actor, moveTo('AT_PICKUP'), placeData(state.pickup, args), args.at);
      alertIfFar('arrived_pickup', state.pickup, args);
      return seq;
    },
    confirmPickup: async (args) => {
      const at = args.at ?? now();
      const seq = transition('picked_up', args.actor, () => {
        state.status = 'IN_TRANSIT';
        // A router's road distance from the quote when it gave one; older quotes carry no flag and were estimates.
        state.eta = state.quote.estimated === false ? arrivalAfter(state.quote.distanceKm, at) : estimateArrival(state.pickup, state.dropoff, at);
        state.promisedBy = timings.deliveryPromiseMs
          ? new Date(Date.parse(at) + timings.deliveryPromiseMs).toISOString()
          : new Date(Date.parse(state.eta) + PROMISE_SLACK_MS[state.priority]).toISOString();
      }, { ...placeData(state.pickup, args), proof: args.proof ?? null, etaEstimated: state.quote.estimated !== false }, at);
      alertIfFar('picked_up', state.pickup, args);
      checkDropoffWindow();
      return seq;
    },
    arrivedAtDropoff: async (args) => {
      const seq = transition('arrived_dropoff', args.actor, moveTo('AT_DROPOFF'), placeData(state.dropoff, args), args.at);
      alertIfFar('arrived_dropoff', state.dropoff, args);
      return seq;
    },
    confirmDelivery: async (args) => {
      const at = args.at ?? now();
      const checkCode = Boolean(state.codeRequired && !state.codeOverride);
      if (checkCode && args.proof?.codeHash !== input.deliveryCodeHash) {
        // A wrong code is history (it counts toward the lock), but the hand-over does not happen.
        const failures = (state.codeFailures ?? 0) + 1;
        const triesLeft = Math.max(0, maxCodeTries - failures);
        const seq = transition('delivery_code_rejected', args.actor, () => {
          state.codeFailures = failures;
        }, { triesLeft }, at);
        if (triesLeft === 0) raiseAlert('delivery_code_locked', `${maxCodeTries} wrong delivery codes at ${state.dropoff.address}`);
        await recorded(state.seq);
        throw ApplicationFailure.create({
          type: 'DELIVERY_CODE_MISMATCH',
          message: triesLeft > 0 ? `the delivery code does not match; ${triesLeft} tries left` : 'the delivery code does not match; no tries left',
          details: [{ triesLeft, seq }],
          nonRetryable: true,
        });
      }
      const seq = transition('delivered', args.actor, () => {
        state.status = 'DELIVERED';
        state.proof = keptProof(args.proof, at, checkCode);
        compensations.length = 0;
      }, { ...placeData(state.dropoff, args), proof: keptProof(args.proof, at, checkCode) }, at);
      alertIfFar('delivered', state.dropoff, args);
      return seq;
    },
    reportFailedAttempt: async (args) => {
      const seq = transition('attempt_failed', args.actor, () => {
        state.status = 'ATTEMPT_FAILED';
        state.attempts += 1;
        // The next attempt may meet someone who has the code.
        if (state.codeFailures) state.codeFailures = 0;
      }, { ...placeData(state.dropoff, args), reason: args.reason ?? 'unspecified', attempt: state.attempts + 1 }, args.at);
      raiseAlert('attempt_failed', `attempt ${state.attempts} failed: ${args.reason ?? 'unspecified'}`);
      return seq;
    },
    confirmReturn: async (args) => {
      const at = args.at ?? now();
      return transition('returned', args.actor, () => {
        state.status = 'RETURNED';
        state.proof = keptProof(args.proof, at, false);
        compensations.length = 0;
      }, { ...placeData(state.pickup, args), proof: keptProof(args.proof, at, false) }, at);
    },
    overrideDeliveryCode: async (args) => transition('delivery_code_overridden', args.actor, () => {
      state.codeOverride = { by: args.actor.name ?? args.actor.kind, reason: args.reason! };
    }, { reason: args.reason }),
    cancel: async (args) => {
      const reason = args.reason ?? 'no reason given';
      const seq = transition('cancelled', args.actor, () => {
        state.status = 'CANCELLED';
        state.cancellation = { by: args.actor.kind, reason };
        state.quote.voidedAt = now();
        if (state.offer) {
          compensations.push({ kind: 'releaseDriver', driverId: state.offer.driverId });
          state.offer = null;
        }
      }, { reason });
      // Compensations touch the read model too: let the cancellation land there first.
      await recorded(seq);
      await runCompensations(`cancelled: ${reason}`);
      return seq;
    },
  };

  for (const action of Object.keys(actionUpdates) as PersonAction[]) {
    setHandler(
      actionUpdates[action],
      async (args: ActionArgs): Promise<ActionResult> => {
        const seq = await handlers[action](args);
        await recorded(seq);
        const own = recent.find((r) => r.seq === seq);
        if (!own) return snapshotOf(state);
        return { ...snapshotOf(state), applied: { event: timelineEventOf(own), state: own.snapshot } };
      },
      { validator: (args: ActionArgs) => validate(action, args) },
    );
  }
  setHandler(quoteRecordedUpdate, async () => {
    await recorded(1);
    return snapshotOf(state);
  });
  setHandler(stateQuery, () => state);

  // --- The delivery's own clock. ---

  void recorder();
  void publisher();
  if (!resume) {
    syncSearchAttributes();
    const customer: Actor = { kind: 'customer', userId: input.customerId, ...(input.requestId ? { requestId: input.requestId } : {}) };
    transition('quoted', customer, () => {}, { quote: input.quote });
    if (input.autoAccept) transition('quote_accepted', customer, moveTo(acceptQuoteTarget(state.dispatchAt, Date.now())));
  }

  async function untilStatusChanges(timeoutMs?: number): Promise<boolean> {
    const from = state.status;
    const seq = state.seq;
    // Any transition (a reassignment keeps ASSIGNED) wakes the loop so timers restart.
    const changed = () => state.status !== from || state.seq !== seq;
    return timeoutMs === undefined ? (await condition(changed), true) : condition(changed, timeoutMs);
  }

  async function dispatchDriver(): Promise<void> {
    void watchDispatchSla();
    while (state.status === 'DISPATCHING') {
      const candidates = await acts.findCandidates({
        deliveryId: state.deliveryId,
        pickup: { lat: state.pickup.lat, lng: state.pickup.lng },
        weightKg: state.parcel.weightKg,
        priority: state.priority,
        excludeDriverIds: state.declinedDriverIds,
      });
      if (state.status !== 'DISPATCHING') return;
      const ranked = await rankCandidates(candidates);
      for (const candidate of ranked) {
        if (state.status !== 'DISPATCHING') return;
        if (state.declinedDriverIds.includes(candidate.driverId)) continue;
        await offerTo(candidate);
      }
      if (state.status === 'DISPATCHING') {
        if (candidates.length === 0 && !state.alerts.some((a) => a.kind === 'no_candidates')) {
          raiseAlert('no_candidates', 'no driver on duty with capacity near the pickup');
        }
        await untilStatusChanges(timings.dispatchRetryMs);
      }
    }
  }

  async function rankCandidates(candidates: RankedCandidate[]): Promise<RankedCandidate[]> {
    if (!input.aiDispatch || candidates.length < 2) return candidates;
    try {
      const ranking = await aiActs.rankCandidatesWithAi({
        deliveryId: state.deliveryId,
        priority: state.priority,
        weightKg: state.parcel.weightKg,
        candidates,
      });
      transition('ai', SYSTEM, () => {}, { use: 'dispatch', ...ranking.record, order: ranking.driverIds, rationale: ranking.rationale, source: ranking.source });
      const byId = new Map(candidates.map((c) => [c.driverId, c]));
      return ranking.driverIds.map((id) => byId.get(id)).filter((c): c is RankedCandidate => c !== undefined);
    } catch (err) {
      log.warn('AI ranking unavailable, using the scored order', { error: String(err) });
      return candidates;
    }
  }

  async function offerTo(candidate: RankedCandidate): Promise<void> {
    const expiresAt = new Date(Date.now() + timings.offerTimeoutMs).toISOString();
    transition('offer_sent', SYSTEM, () => {
      state.offer = { driverId: candidate.driverId, name: candidate.name, expiresAt };
    }, { driverId: candidate.driverId, score: candidate.score, distanceKm: candidate.distanceKm, travelMinutes: candidate.travelMinutes ?? null, estimated: candidate.estimated !== false, expiresAt });
    const answered = await condition(
      () => state.offer?.driverId !== candidate.driverId || state.status !== 'DISPATCHING',
      timings.offerTimeoutMs,
    );
    if (!answered) {
      transition('offer_expired', SYSTEM, () => {
        state.offer = null;
      }, { driverId: candidate.driverId });
    }
  }

  async function watchDispatchSla(): Promise<void> {
    if (await condition(() => state.status !== 'DISPATCHING', timings.dispatchSlaMs)) return;
    raiseAlert('unassigned', `no driver has accepted after ${Math.round(timings.dispatchSlaMs / 1000)} s`);
  }

  async function watchPickupSla(): Promise<void> {
    const pickedUpOrGone = () => !['ASSIGNED', 'AT_PICKUP'].includes(state.status);
    if (await condition(pickedUpOrGone, timings.pickupSlaMs)) return;
    raiseAlert('pickup_late', `not picked up within ${Math.round(timings.pickupSlaMs / 60_000)} min of assignment`);
  }

  async function watchPromise(): Promise<void> {
    const promisedBy = state.promisedBy;
    if (!promisedBy || state.delayed) return;
    const finished = () => isTerminal(state.status) || state.status === 'RETURNING';
    if (await condition(finished, Math.max(1, Date.parse(promisedBy) - Date.now()))) return;
    transition('delayed', SYSTEM, () => {
      state.delayed = true;
    }, { promisedBy, eta: state.eta });
    raiseAlert('delayed', `late: promised by ${promisedBy}`);
    try {
      const message = await aiActs.composeDelayMessage({
        deliveryId: state.deliveryId,
        trackingCode: state.trackingCode,
        recipientName: state.dropoff.contactName ?? null,
        eta: state.eta,
        promisedBy,
      });
      transition('ai', SYSTEM, () => {}, { use: 'delay_message', ...message.record, message: message.message, source: message.source });
    } catch (err) {
      log.warn('delay message failed', { error: String(err) });
    }
  }

  function checkDropoffWindow(): void {
    const end = state.dropoffWindow?.to;
    if (!end || !state.eta || state.windowAtRisk || Date.parse(state.eta) <= Date.parse(end)) return;
    transition('window_at_risk', SYSTEM, () => {
      state.windowAtRisk = true;
    }, { window: 'dropoff', eta: state.eta, windowEndsAt: end });
    raiseAlert('window_at_risk', `ETA ${state.eta} passes the drop-off window ending ${end}`);
  }

  /** Timers on the windows: at risk when the pickup window opens with no driver; missed when a window ends first. */
  async function watchWindows(): Promise<void> {
    const notAssigned = () => ['SCHEDULED', 'DISPATCHING'].includes(state.status);
    const notPickedUp = () => ['SCHEDULED', 'DISPATCHING', 'ASSIGNED', 'AT_PICKUP'].includes(state.status);
    const pickup = state.pickupWindow;
    if (pickup) {
      await condition(() => !notAssigned(), Math.max(1, Date.parse(pickup.from) - Date.now()));
      if (notAssigned() && !state.windowAtRisk) {
        transition('window_at_risk', SYSTEM, () => {
          state.windowAtRisk = true;
        }, { window: 'pickup', windowEndsAt: pickup.to });
        raiseAlert('window_at_risk', `pickup window opened at ${pickup.from} with no driver assigned`);
      }
      await condition(() => !notPickedUp(), Math.max(1, Date.parse(pickup.to) - Date.now()));
      if (notPickedUp() && !isTerminal(state.status)) raiseAlert('window_missed', `not picked up by the end of its pickup window (${pickup.to})`);
    }
    const dropoff = state.dropoffWindow;
    if (dropoff) {
      const done = () => isTerminal(state.status) || state.status === 'RETURNING';
      if (!(await condition(done, Math.max(1, Date.parse(dropoff.to) - Date.now())))) {
        raiseAlert('window_missed', `not delivered by the end of its drop-off window (${dropoff.to})`);
      }
    }
  }

  let pickupWatched = false;
  let promiseWatched = false;
  let windowsWatched = false;
  while (!isTerminal(state.status)) {
    if (hasWindows && !windowsWatched && state.status !== 'QUOTED') {
      windowsWatched = true;
      void watchWindows();
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(settled);
      await continueAsNew<typeof deliveryWorkflow>(input, { state, compensations: [...compensations] });
    }
    switch (state.status) {
      case 'QUOTED': {
        const remaining = Math.max(1, Date.parse(state.quote.expiresAt) - Date.now());
        if (!(await untilStatusChanges(Math.min(remaining, timings.quoteTtlMs)))) {
          await recorded(transition('expired', SYSTEM, () => {
            state.status = 'EXPIRED';
            state.quote.voidedAt = now();
          }));
          await runCompensations('quote expired');
        }
        break;
      }
      case 'SCHEDULED': {
        // A durable timer: it fires at dispatchAt whichever worker holds the delivery then.
        const dispatchAt = state.dispatchAt ?? now();
        if (!(await untilStatusChanges(Math.max(1, Date.parse(dispatchAt) - Date.now())))) {
          transition('dispatch_started', SYSTEM, moveTo('DISPATCHING'), { dispatchAt });
        }
        break;
      }
      case 'DISPATCHING':
        await dispatchDriver();
        break;
      case 'ASSIGNED':
        if (!pickupWatched) {
          pickupWatched = true;
          void watchPickupSla();
        }
        await untilStatusChanges();
        break;
      case 'IN_TRANSIT':
        if (!promiseWatched) {
          promiseWatched = true;
          void watchPromise();
        }
        await untilStatusChanges();
        break;
      case 'ATTEMPT_FAILED':
        if (state.attempts >= timings.maxAttempts) {
          transition('return_started', SYSTEM, moveTo('RETURNING'), { attempts: state.attempts });
        } else if (!(await untilStatusChanges(timings.reattemptDelayMs))) {
          transition('reattempt', SYSTEM, moveTo('IN_TRANSIT'), { attempt: state.attempts + 1 });
        }
        break;
      default:
        await untilStatusChanges();
    }
  }

  // Everything the delivery did must be in the read model and published, and every caller answered, before it closes.
  await condition(settled);
  return state;
}

function isDataRejected(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === DATA_REJECTED;
}

/** The sandbox has no structuredClone; the state is JSON by design (DESIGN §4), so JSON copies it exactly. */
function snapshotOf(state: DeliveryState): DeliveryState {
  return JSON.parse(JSON.stringify(state)) as DeliveryState;
}

function locationData(args: ActionArgs): Record<string, unknown> {
  return args.location ? { location: args.location } : {};
}

function initialState(input: DeliveryWorkflowInput): DeliveryState {
  return {
    deliveryId: input.deliveryId,
    trackingCode: input.trackingCode,
    customerId: input.customerId,
    ...(input.organizationId ? { organizationId: input.organizationId } : {}),
    ...(input.reference ? { reference: input.reference } : {}),
    status: 'QUOTED',
    seq: 0,
    delayed: false,
    priority: input.priority,
    pickup: input.pickup,
    dropoff: input.dropoff,
    parcel: input.parcel,
    notes: input.notes,
    quote: input.quote,
    driver: null,
    offer: null,
    declinedDriverIds: [],
    attempts: 0,
    eta: null,
    promisedBy: null,
    proof: null,
    cancellation: null,
    alerts: [],
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    pickupWindow: input.pickupWindow ?? null,
    dropoffWindow: input.dropoffWindow ?? null,
    dispatchAt: dispatchAtFor(input.pickupWindow, input.timings.dispatchLeadMs ?? 0),
    codeRequired: Boolean(input.deliveryCodeHash),
    leaveAtDoor: Boolean(input.leaveAtDoor),
    codeFailures: 0,
    codeOverride: null,
    windowAtRisk: false,
  };
}
