/**
 * A delivery's ledger: its state, its transitions in `seq` order on their way to the read model, and the
 * saga's compensations. The recorder writes a workflow task's transitions to Postgres with their outbox
 * rows (in that task when the delivery made them on its own, by an activity when a person's Update did);
 * the worker's relay then pushes them to screens and queues, so a Redis outage never holds up a driver's
 * tap: an Update answers once Postgres has the change.
 * Deliveries started with `callerRecords` answer a person's change to the caller instead, who records it
 * once the Update is durable (the API, api/services/updates-in-flight.ts); so are their first transitions,
 * when the API starts them with the `quoteRecorded` Update asking for them.
 * Deliveries started before this shape record with one activity per transition, and publish with
 * another (or, the oldest, in the same one).
 */
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, log, patched, workflowInfo } from '@temporalio/workflow';
import { DATA_REJECTED, slimTransition, timelineEventOf, type Actor, type Alert, type DeliveryState, type DeliveryWorkflowInput, type TimelineEvent, type TransitionRecord } from '../../domain/delivery.js';
import { targetOf, type DeliveryAction } from '../../domain/status.js';
import type { TimelineEventType } from '../../domain/timeline.js';
import { dispatchAtFor } from '../../domain/windows.js';
import { acts, localActs, locallyFirst } from './activities.js';
import { searchAttributeSync } from './search.js';

export const SYSTEM: Actor = { kind: 'system' };
/** Transitions kept for Updates to answer with (a cancellation's compensations add a few before it answers). */
const RECENT_KEPT = 16;

export type Compensation = { kind: 'releaseDriver'; driverId: string } | { kind: 'voidQuote' };

/** What a delivery carries into its next run after continue-as-new. */
export interface DeliveryWorkflowResume {
  state: DeliveryState;
  compensations: Compensation[];
}

export const now = () => new Date().toISOString();

export class Ledger {
  readonly state: DeliveryState;
  readonly compensations: Compensation[];
  private readonly pending: TransitionRecord[] = [];
  private readonly unpublished: TransitionRecord[] = [];
  /** The latest transitions, for Updates to answer with their own. */
  private readonly recent: TransitionRecord[] = [];
  /** Every transition of this run, without its snapshot (`timelineQuery`). */
  readonly timeline: TimelineEvent[] = [];
  private recordedSeq: number;
  /** How many transitions the delivery made as it started (from its input, not from an Update). */
  private readonly startTransitions: number;
  /** The local activity running now, if any (see `inTurn`). */
  private localTurn: Promise<unknown> = Promise.resolve();
  /**
   * Records in its workflow tasks and leaves publishing to the relay; answers Updates without the
   * booking; is started with its search attributes (no first upsert).
   */
  readonly lean: boolean;
  /** A person's change goes to the caller to record (the delivery's input asks for it). */
  readonly callerRecords: boolean;
  /**
   * Of those, deliveries started with patch `caller-records`: a hand-over waits for the candidate search
   * its change set off, and what follows it in the same workflow task is written by an activity after
   * that task. Earlier ones hand over without waiting, and write by an activity until one has run.
   */
  readonly handsOverWhatFollows: boolean;
  /** Earlier caller-recorded deliveries: transitions went to a caller since an activity last wrote. */
  private handedSinceDurable = false;
  /** A batch is on its way to the read model. */
  private recording = false;
  /** Update handlers waiting to hand their transitions over: the recorder leaves pending ones to them. */
  private handing = 0;
  /** Local reads running whose outcome a hand-over waits for (`awaitedByHandOver`). */
  private awaited = 0;
  /**
   * What went to a caller, and in which workflow task (by the history's length as the task began: replay
   * gives each task the same). Until that task completes it may not be durable, so what the delivery does
   * next in it is written by an activity, after it.
   */
  private handedInTask: { historyLength: number; records: TransitionRecord[] } = { historyLength: -1, records: [] };
  // Deliveries started before publishing ran behind the write record and publish in one activity.
  private readonly publishSeparately: boolean;
  readonly syncSearchAttributes: () => void;

  constructor(readonly input: DeliveryWorkflowInput, resume?: DeliveryWorkflowResume) {
    this.state = resume?.state ?? initialState(input);
    this.compensations = resume?.compensations ?? [{ kind: 'voidQuote' }];
    this.recordedSeq = resume ? this.state.seq : 0;
    this.startTransitions = resume ? this.state.seq : input.autoAccept ? 2 : 1;
    this.callerRecords = Boolean(input.callerRecords);
    // Replay keeps a delivery begun without the patch on the shape it began with.
    this.handsOverWhatFollows = this.callerRecords && patched('caller-records');
    this.lean = this.callerRecords || patched('lean-delivery');
    this.publishSeparately = this.lean || patched('publish-after-record');
    this.syncSearchAttributes = searchAttributeSync(input, this.state, { startedWithThem: this.lean && !resume });
  }

  /** Applies a change and queues it for the read model; returns the seq to wait on. */
  transition(type: TimelineEventType, actor: Actor, change: () => void, data: Record<string, unknown> = {}, at = now()): number {
    const { state } = this;
    change();
    state.seq += 1;
    state.updatedAt = now();
    const { seq } = state;
    const record: TransitionRecord = { deliveryId: state.deliveryId, seq, type, at, actor, data, snapshot: snapshotOf(state) };
    this.pending.push(record);
    this.timeline.push(timelineEventOf(record));
    this.recent.push(record);
    if (this.recent.length > RECENT_KEPT) this.recent.shift();
    this.syncSearchAttributes();
    return seq;
  }

  /** Moves the delivery to where the state machine says the action leads. */
  move(action: DeliveryAction): void {
    this.state.status = targetOf(action) ?? this.state.status;
  }

  /** A change that only moves the delivery, for a transition that changes nothing else. */
  moveBy(action: DeliveryAction): () => void {
    return () => this.move(action);
  }

  raiseAlert(kind: Alert['kind'], message: string): void {
    const alert: Alert = { kind, message, at: now() };
    this.transition('alert', SYSTEM, () => this.state.alerts.push(alert), { ...alert });
  }

  /**
   * Once what the delivery does at once after an Update's change is done too (a return started, the next
   * driver offered, after a candidate search if it takes one), hands everything pending to the Update's
   * caller (`handOver`). The recorder waits meanwhile.
   */
  async handOverSettled(seq: number): Promise<TransitionRecord[] | null> {
    if (!this.callerRecords) return null;
    this.handing += 1;
    try {
      await settledInTask(() => this.state.seq);
      // A candidate search the change set off: the offer it leads to goes with the answer.
      while (this.awaited > 0) {
        await condition(() => this.awaited === 0);
        await settledInTask(() => this.state.seq);
      }
    } finally {
      this.handing -= 1;
    }
    return this.handOver(seq);
  }

  /**
   * Hands everything pending, `seq` among it, to the caller of an Update to record, when the
   * delivery records through its caller and nothing is on its way already (a batch in flight must land
   * first, and so must what follows it). Returns null when the ledger records them itself.
   */
  private handOver(seq: number): TransitionRecord[] | null {
    if (!this.callerRecords || this.recording || this.pending.length === 0) return null;
    if (!this.pending.some((r) => r.seq === seq)) return null;
    const handed = this.pending.splice(0);
    this.recordedSeq = handed[handed.length - 1]!.seq;
    this.handedSinceDurable = true;
    const earlier = this.handedInThisTask() ? this.handedInTask.records : [];
    this.handedInTask = { historyLength: workflowInfo().historyLength, records: [...earlier, ...handed] };
    return handed;
  }

  /** A local read whose outcome an Update's answer waits for, when one is handing its transitions over. */
  async awaitedByHandOver<R>(read: () => Promise<R>): Promise<R> {
    this.awaited += 1;
    try {
      return await read();
    } finally {
      this.awaited -= 1;
    }
  }

  /**
   * This workflow task hands transitions to a caller, or did: it must complete before anything else is
   * written, so what follows is recorded by an activity it schedules.
   */
  private handedInThisTask(): boolean {
    return this.handing > 0 || (this.handedInTask.records.length > 0 && this.handedInTask.historyLength === workflowInfo().historyLength);
  }

  /** The latest transitions kept, as the activities receive them. */
  recentTransitions() {
    return this.recent.map(onTheWire);
  }

  /** The transition of this seq, while it is among the latest kept. */
  recentTransition(seq: number): TransitionRecord | undefined {
    return this.recent.find((r) => r.seq === seq);
  }

  /**
   * Runs local activities one at a time. Replay resolves a workflow task's local activities from their
   * markers; had two run at once, their results could come back together and resume the workflow in
   * another order than the original run did (a nondeterminism error).
   */
  inTurn<R>(work: () => Promise<R>): Promise<R> {
    const turn = this.localTurn.then(work);
    this.localTurn = turn.catch(() => undefined);
    return turn;
  }

  recorded(seq: number): Promise<void> {
    return condition(() => this.recordedSeq >= seq);
  }

  /** Everything is in the read model and published, and every caller answered. */
  settled(): boolean {
    return this.pending.length === 0 && this.unpublished.length === 0 && allHandlersFinished();
  }

  /** Resolves true when the status or anything else changed (a reassignment keeps ASSIGNED), false on timeout. */
  async untilChanged(timeoutMs?: number): Promise<boolean> {
    const from = this.state.status;
    const seq = this.state.seq;
    const changed = () => this.state.status !== from || this.state.seq !== seq;
    return timeoutMs === undefined ? (await condition(changed), true) : condition(changed, timeoutMs);
  }

  async runCompensations(reason: string): Promise<void> {
    while (this.compensations.length > 0) {
      const step = this.compensations.pop()!;
      if (step.kind === 'releaseDriver') {
        await acts.releaseDriver({ deliveryId: this.state.deliveryId, driverId: step.driverId, reason });
      } else {
        await acts.voidQuote({ deliveryId: this.state.deliveryId });
      }
    }
  }

  dropDriverCompensation(driverId: string): void {
    const i = this.compensations.findIndex((c) => c.kind === 'releaseDriver' && c.driverId === driverId);
    if (i >= 0) this.compensations.splice(i, 1);
  }

  /** Starts the loops that carry transitions to the read model and then to screens and queues. */
  startRecording(): void {
    void this.recorder();
    if (this.publishSeparately && !this.lean) void this.publisher();
  }

  private async recorder(): Promise<void> {
    for (;;) {
      await condition(() => this.pending.length > 0 && this.handing === 0);
      if (this.lean) {
        await this.recordPending();
        continue;
      }
      // Earlier deliveries: one activity per transition. Replay needs these awaits exactly as they are.
      const record = this.pending[0]!;
      let kept = true;
      try {
        if (this.publishSeparately) await acts.recordTransition(onTheWire(record), { publishSeparately: true });
        else await acts.recordTransition(onTheWire(record));
      } catch (err) {
        if (!isDataRejected(err)) throw err;
        kept = false;
        refused(record, err);
      }
      this.pending.shift();
      this.recordedSeq = record.seq;
      if (this.publishSeparately && kept) this.unpublished.push(record);
    }
  }

  /**
   * Everything pending, in one go. A person's change came with an Update, which is durable only once the
   * task that accepted it completes: had a local activity written it in that task and the task been lost
   * (the Temporal server restarting), the read model would show a change the delivery never made. So a
   * batch holding one (one its caller does not record: `handOver`), or made in a task that handed some to
   * its caller, is recorded by an activity, scheduled by that task. What the delivery did on its own (its
   * start, its timers, dispatch) replays the same from history, and is recorded in its task by a local
   * activity; should that keep failing, by the activity too.
   */
  private async recordPending(): Promise<void> {
    const batch = [...this.pending];
    // An Update's handler hands them to its caller, or did since the recorder woke.
    if (batch.length === 0 || this.handing > 0) return;
    this.recording = true;
    const afterHandOver = this.handedInThisTask();
    const durableFirst = (this.handsOverWhatFollows ? afterHandOver : this.handedSinceDurable) || batch.some((r) => this.cameWithUpdate(r));
    await this.inTurn(async () => {
      if (!durableFirst) return locallyFirst('recording transitions', () => localActs.recordTransitions(batch), () => this.recordInActivity(batch));
      // What this task handed to a caller goes first again, so the relay publishes it before what follows
      // (the caller's copy changes nothing).
      await this.recordInActivity([...(afterHandOver ? this.handedInTask.records : []), ...batch]);
      // The task that scheduled the activity completed before it ran: what was handed over is durable.
      this.handedSinceDurable = false;
    });
    this.pending.splice(0, batch.length);
    this.recordedSeq = batch[batch.length - 1]!.seq;
    this.recording = false;
  }

  /** A person's transition, after those the delivery was started with. */
  private cameWithUpdate(record: TransitionRecord): boolean {
    return record.actor.kind !== 'system' && record.seq > this.startTransitions;
  }

  /** Through retried activities (visible to `ops stuck`); one the database refuses for good is skipped. */
  private async recordInActivity(batch: TransitionRecord[]): Promise<void> {
    try {
      await acts.recordTransitions(batch.map(onTheWire));
      return;
    } catch (err) {
      if (!isDataRejected(err)) throw err;
      if (batch.length === 1) return refused(batch[0]!, err);
    }
    for (const record of batch) {
      try {
        await acts.recordTransitions([onTheWire(record)]);
      } catch (err) {
        if (!isDataRejected(err)) throw err;
        refused(record, err);
      }
    }
  }

  private async publisher(): Promise<void> {
    for (;;) {
      await condition(() => this.unpublished.length > 0);
      await acts.publishTransition(onTheWire(this.unpublished[0]!));
      this.unpublished.shift();
    }
  }
}

/**
 * Resolves once a round of the workflow's conditions finds `seq` where the round before left it: what the
 * last change set off in this activation (a loop woken by it, and whatever that woke) has run. Each round's
 * value is read as the round starts, after everything the previous one woke has settled. In memory only:
 * nothing of it reaches the history.
 */
async function settledInTask(seq: () => number): Promise<void> {
  let last = await nextRound(seq);
  for (;;) {
    const now = await nextRound(seq);
    if (now === last) return;
    last = now;
  }
}

/** The value `read` gives as the next round of conditions starts. */
function nextRound(read: () => number): Promise<number> {
  let armed = false;
  let value = 0;
  const due = condition(() => {
    if (!armed) return false;
    value = read();
    return true;
  });
  armed = true;
  return due.then(() => value);
}

/**
 * The first transition carries the booking to the read model; later ones carry only what a transition can
 * change, and the activity completes them from the booking it holds. Activity inputs are not part of what
 * replay compares, so running deliveries take this up without a patch.
 */
export function onTheWire(record: TransitionRecord) {
  return record.seq === 1 ? record : slimTransition(record);
}

/**
 * The database refuses this record for good (the worker has raised an alert on the board). The delivery
 * goes on in Temporal, its source of truth; the read model stays at its last good change and no caller
 * waits on this one for ever.
 */
function refused(record: TransitionRecord, err: unknown): void {
  log.error('transition not recorded: the database refused it', { seq: record.seq, type: record.type, error: String(err) });
}

function isDataRejected(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === DATA_REJECTED;
}

/** The sandbox has no structuredClone; the state is JSON by design (DESIGN §4), so JSON copies it exactly. */
export function snapshotOf(state: DeliveryState): DeliveryState {
  return JSON.parse(JSON.stringify(state)) as DeliveryState;
}

export function initialState(input: DeliveryWorkflowInput): DeliveryState {
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
