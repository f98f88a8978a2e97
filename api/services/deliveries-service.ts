/** Deliveries: start the workflow, read the read model (scoped to who asks), send the workflow Updates. */
import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { deliveryFromState, type DeliveryStore, type TemporalLinks } from '../../db/deliveries.js';
import { newTrackingCode } from '../../db/tracking.js';
import type { Booking, Delivery, DeliveryState, DeliveryTimings, DeliveryWorkflowInput, TransitionRecord } from '../../domain/delivery.js';
import { bookingOfState, stateFrom, timelineEventOf, workflowIdFor } from '../../domain/delivery.js';
import { isQuotableDistance, PRICING, quotePrice, type Priority } from '../../domain/pricing.js';
import { normalizeWindow, windowProblems } from '../../domain/windows.js';
import type { CreateDeliveryBody } from '../../domain/schemas.js';
import { startingSearchAttributes } from '../../domain/search-attributes.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../domain/status.js';
import { actionUpdates, quoteRecordedUpdate, type ActionArgs, type ActionResult, type HandedActionResult, type PersonAction } from '../../workflows/messages.js';
import { AppError, ValidationError, NotFoundError } from '../errors.js';
import { isUuid } from '../validate.js';
import type { AuthUser } from '../types.js';
import { createTripMeasurer, type TripMeasurer } from '../../adapters/geo/router.js';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { Logger } from 'pino';
import type { TrackingReads } from './tracking-reads.js';
import { temporalError, updateError, WorkflowPendingError } from './temporal-errors.js';
import type { DeliveryCodes } from './delivery-codes.js';
import type { UpdatesInFlight } from './updates-in-flight.js';

export interface DeliveriesServiceDeps {
  deliveries: DeliveryStore;
  temporal: Client;
  taskQueue: string;
  links: TemporalLinks;
  timings: DeliveryTimings;
  aiDispatch: boolean;
  /** How long a request waits on an Update; past it the caller gets 504 WORKFLOW_PENDING (default 10 s). */
  updateDeadlineMs?: number;
  /** Road distances for quotes; without a router, the flagged straight-line estimate. */
  trips?: TripMeasurer;
  /**
   * Screens hear of a person's change from the API that recorded it, as soon as it is recorded; the
   * workers' relay publishes it again with the tracking view, notifications and webhooks. Clients drop
   * the `seq` they already have.
   */
  live?: Pick<LivePublisher, 'publishDelivery'>;
  log?: Pick<Logger, 'warn'>;
  /** Drops this instance's cached public view of a delivery the caller just changed. */
  tracking?: Pick<TrackingReads, 'changed'>;
  codes: DeliveryCodes;
  /** Priorities whose deliveries always need a delivery code. */
  codePriorities: readonly Priority[];
  /** Milestones farther than this from their stop are flagged. */
  maxStopDistanceM: number;
  /** Records the transitions a person's Update answers with (deliveries started with `callerRecords`). */
  updates: Pick<UpdatesInFlight, 'open' | 'record' | 'close' | 'catchUp'>;
}

/**
 * A retried create with the same Idempotency-Key and body gets the same delivery id, so even when the
 * stored answer is lost (a crash between starting the workflow and recording the reply) no second
 * workflow starts: Temporal refuses the duplicate id.
 */
export function deliveryIdFor(userId: string, idempotencyKey: string, body: CreateDeliveryBody): string {
  const h = createHash('sha256').update(`${userId}\n${idempotencyKey}\n${JSON.stringify(body)}`).digest('hex');
  // RFC 9562 version 8 (custom) layout.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export { newTrackingCode };

/**
 * The scope a user may see, as a WHERE clause: authorization lives in the query. Acting in an
 * organisation (membership already checked for this request), anyone sees exactly its deliveries; a
 * customer acting for themselves sees their personal ones, not those they booked in an organisation
 * (those stay with it when they leave).
 */
export interface ListQuery {
  status?: string;
  driverId?: string;
  customerId?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !isUuid(id) || !/^\d{4}-\d\d-\d\dT/.test(at ?? '') || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor from this API' }]);
  }
  return { createdAt, id };
}
const encodeCursor = (d: Delivery) => Buffer.from(`${new Date(d.createdAt).toISOString()}|${d.id}`).toString('base64url');

export class DeliveriesService {
  constructor(private readonly deps: DeliveriesServiceDeps) {}

  async create(user: AuthUser, body: CreateDeliveryBody, options: { requestId?: string; idempotencyKey?: string } = {}): Promise<Delivery> {
    const { requestId, idempotencyKey } = options;
    const now = new Date();
    const problems = windowProblems(body, now.getTime());
    if (problems.length > 0) throw new ValidationError(problems);
    const pickupWindow = normalizeWindow(body.pickupWindow);
    const dropoffWindow = normalizeWindow(body.dropoffWindow);
    const trip = await (this.deps.trips ?? createTripMeasurer(undefined)).trip(body.pickup, body.dropoff);
    if (!isQuotableDistance(trip.distanceKm)) {
      throw new AppError(422, 'DISTANCE_TOO_LONG', `pickup and drop-off are ${Math.round(trip.distanceKm)} km apart by road; a delivery covers at most ${PRICING.maxDistanceKm} km`, [
        { path: 'body.dropoff', message: `more than ${PRICING.maxDistanceKm} km by road from the pickup` },
      ]);
    }
    const price = quotePrice({ distanceKm: trip.distanceKm, parcel: body.parcel, priority: body.priority, requestedAt: now.toISOString(), distanceEstimated: trip.estimated });
    const measured = { estimated: trip.estimated, ...(trip.durationMin !== null ? { roadMinutes: trip.durationMin } : {}) };
    const deliveryId = idempotencyKey ? deliveryIdFor(user.organizationId ?? user.id, idempotencyKey, body) : randomUUID();
    const needsCode = body.requireCode ?? this.deps.codePriorities.includes(body.priority);
    const code = needsCode ? await this.deps.codes.issue(deliveryId) : null;
    const input: DeliveryWorkflowInput = {
      deliveryId,
      trackingCode: newTrackingCode(),
      customerId: user.id,
      ...(user.organizationId ? { organizationId: user.organizationId } : {}),
      pickup: body.pickup,
      dropoff: body.dropoff,
      parcel: body.parcel,
      priority: body.priority,
      notes: body.notes,
      quote: { ...price, ...measured, expiresAt: new Date(now.getTime() + this.deps.timings.quoteTtlMs).toISOString() },
      autoAccept: body.autoAccept ?? false,
      timings: this.deps.timings,
      createdAt: now.toISOString(),
      aiDispatch: this.deps.aiDispatch,
      requestId,
      ...(pickupWindow ? { pickupWindow } : {}),
      ...(dropoffWindow ? { dropoffWindow } : {}),
      ...(code ? { deliveryCodeHash: this.deps.codes.hash(deliveryId, code) } : {}),
      ...(body.leaveAtDoor ? { leaveAtDoor: true } : {}),
      maxStopDistanceM: this.deps.maxStopDistanceM,
      callerRecords: true,
    };
    // Open until the delivery's first transitions are recorded: should this request stop first, another API instance records them.
    const inFlight = await this.deps.updates.open(deliveryId);
    try {
      // Started with the Update that hands the API the delivery's first transitions (the quote, and with
      // autoAccept its acceptance and first offer) once that first workflow task is durable: one call.
      const startWorkflowOperation = new WithStartWorkflowOperation('deliveryWorkflow', {
        workflowId: workflowIdFor(deliveryId),
        taskQueue: this.deps.taskQueue,
        args: [input],
        memo: requestId ? { requestId } : undefined,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: startingSearchAttributes(input),
      });
      const answer = await this.withinDeadline(() =>
        this.deps.temporal.workflow.executeUpdateWithStart(quoteRecordedUpdate, { args: [{ callerRecords: true }], startWorkflowOperation }),
      );
      // Started and durable: a check of the open Update records it, and a retry with the same key finds it.
      const state = await this.recordStart(inFlight, answer).catch(this.pendingUntilRecorded(deliveryId, 'a created delivery'));
      return this.withCode(user, deliveryFromState(state, this.deps.links));
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // Nothing was sent: an earlier try started it.
        await this.deps.updates.close(inFlight);
        if (idempotencyKey) return this.alreadyCreated(user, deliveryId);
      }
      throw temporalError(err, deliveryId);
    }
  }

  /** For a write of what the delivery made that failed: logged, and the caller told the change is pending. */
  private pendingUntilRecorded(deliveryId: string, what: string): (err: Error) => never {
    return (err) => {
      this.deps.log?.warn({ err: err.message, deliveryId }, `${what} is not in the read model yet`);
      throw new WorkflowPendingError(deliveryId);
    };
  }

  /** The first transitions handed over, in the read model; or the state, when the worker recorded them. */
  private async recordStart(inFlight: string, answer: DeliveryState | HandedActionResult): Promise<DeliveryState> {
    if (!('transitions' in answer)) {
      await this.deps.updates.close(inFlight);
      return answer;
    }
    const first = answer.transitions[0];
    if (!first || !('snapshot' in first)) throw new Error('a delivery handed over its start without its booking');
    // Screens hear of a new delivery from the workers' relay: it announces the tracking code once, so
    // views cached before the next change stay as they are.
    const recorded = await this.deps.updates.record(inFlight, answer.transitions, bookingOfState(first.snapshot));
    return recorded[recorded.length - 1]!.snapshot;
  }

  /**
   * No request waits on a workflow for ever: past the deadline the Update call is dropped (the Update
   * itself is not: it runs on, and a retry with the same Idempotency-Key gets its outcome).
   */
  private withinDeadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.temporal.withDeadline(Date.now() + (this.deps.updateDeadlineMs ?? 10_000), fn);
  }

  /** The delivery an earlier try of the same create started: its live state, or its read model once closed. */
  private async alreadyCreated(user: AuthUser, deliveryId: string): Promise<Delivery> {
    let state: DeliveryState | undefined;
    try {
      const handle = this.deps.temporal.workflow.getHandle(workflowIdFor(deliveryId));
      // Asked without `callerRecords`, the delivery hands nothing over: it answers with its state.
      const answer = await this.withinDeadline(() => handle.executeUpdate(quoteRecordedUpdate, { args: [{}] }));
      if (!('transitions' in answer)) state = answer;
    } catch (err) {
      const mapped = temporalError(err, deliveryId);
      if (mapped !== err) throw mapped;
    }
    if (!state || state.customerId !== user.id || (state.organizationId ?? undefined) !== user.organizationId) return this.get(user, deliveryId);
    // The earlier try may have stopped before recording what the delivery handed it: recorded now, or
    // this answer is pending too.
    await this.deps.updates.catchUp(deliveryId).catch(this.pendingUntilRecorded(deliveryId, 'a created delivery'));
    return this.withCode(user, deliveryFromState(state, this.deps.links));
  }

  async list(user: AuthUser, query: ListQuery): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    let statuses: DeliveryStatus[] | undefined;
    if (query.status) {
      const asked = query.status.split(',');
      const unknown = asked.filter((s) => !DELIVERY_STATUSES.includes(s as DeliveryStatus));
      if (unknown.length) throw new ValidationError([{ path: 'query.status', message: `unknown status ${unknown.join(', ')}` }]);
      statuses = asked as DeliveryStatus[];
    }
    const filter = { statuses, driverId: query.driverId, customerId: query.customerId, text: query.q, after: query.cursor ? decodeCursor(query.cursor) : undefined };
    const { items, more } = await this.deps.deliveries.list(user, filter, query.limit);
    // The customer's own codes (scoping already keeps others' out), and every code for dispatchers; drivers get none.
    const codes = user.role === 'driver' ? new Map<string, string>() : await this.deps.codes.codesOf(items.filter((d) => d.codeRequired).map((d) => d.id));
    return {
      items: items.map((d) => (codes.has(d.id) ? { ...d, deliveryCode: codes.get(d.id)! } : d)),
      nextCursor: more ? encodeCursor(items[items.length - 1]!) : null,
    };
  }

  async get(user: AuthUser, id: string, withTimeline = true): Promise<Delivery> {
    const delivery = await this.deps.deliveries.find(user, id, withTimeline);
    if (!delivery) throw new NotFoundError('delivery');
    return withTimeline ? this.withCode(user, delivery) : delivery;
  }

  /** The code is the booking customer's to pass on, and dispatchers'; drivers must hear it from the recipient. */
  private async withCode(user: AuthUser, delivery: Delivery): Promise<Delivery> {
    if (!delivery.codeRequired) return delivery;
    const mayRead = user.role === 'dispatcher' || user.role === 'admin' || (user.role === 'customer' && user.id === delivery.customerId);
    if (!mayRead) return delivery;
    const code = await this.deps.codes.codeOf(delivery.id);
    return code ? { ...delivery, deliveryCode: code } : delivery;
  }

  /** The keyed hash the workflow compares a driver's code with. */
  codeHash(deliveryId: string, code: string): string {
    return this.deps.codes.hash(deliveryId, code);
  }

  /** Sends one Update; the workflow's validator is the authority on whether it is allowed now. */
  async act(user: AuthUser, id: string, action: PersonAction, args: Omit<ActionArgs, 'actor'>, updateId?: string, requestId?: string): Promise<Delivery> {
    const booking = await this.deps.deliveries.bookingOf(user, id);
    if (!booking) throw new NotFoundError('delivery');
    // An organisation's delivery is the organisation's: any member may do what its booker may, so the
    // workflow's owner check sees the booker, and the timeline the member's own name.
    const userId = user.organizationId && user.role === 'customer' ? booking.customerId : user.id;
    const handle = this.deps.temporal.workflow.getHandle(workflowIdFor(id));
    // Open until the answer is recorded: should this request stop first, another API instance records it.
    const inFlight = await this.deps.updates.open(id);
    try {
      const result = await this.withinDeadline(() => handle.executeUpdate(actionUpdates[action], {
        args: [{ ...args, actor: { kind: user.role, userId, driverId: user.driverId, name: user.name, ...(requestId ? { requestId } : {}) } }],
        ...(updateId ? { updateId: `${user.id}:${updateId}` } : {}),
      }));
      let state: DeliveryState;
      if ('transitions' in result) {
        // Durable in the workflow; in the read model, they are what this tap waits for. Screens hear of
        // them from here at once, and from the workers' relay again.
        // Applied and durable, not yet in the read model: the open Update's check records it, and a
        // retry with the same Idempotency-Key gets the same answer and records it at once.
        const recorded = await this.deps.updates.record(inFlight, result.transitions, booking).catch(this.pendingUntilRecorded(id, 'a change'));
        this.pushToScreens(recorded);
        state = recorded[recorded.length - 1]!.snapshot;
      } else {
        // The delivery recorded it itself, and the workers' relay publishes it.
        await this.deps.updates.close(inFlight);
        state = stateAnswered(result, booking);
      }
      const delivery = deliveryFromState(state, this.deps.links);
      // The change is in the read model: whoever tracks it, the caller first, must not be shown the old view.
      this.deps.tracking?.changed(delivery.trackingCode);
      return delivery;
    } catch (err) {
      // Refused: nothing changed. Anything else (the deadline, Temporal or Postgres away) leaves the Update open to be checked.
      if (err instanceof WorkflowUpdateFailedError) await this.deps.updates.close(inFlight);
      throw updateError(err, id);
    }
  }

  /** Not awaited: the change is recorded, and a Redis outage must not hold up the answer. */
  private pushToScreens(records: TransitionRecord[]): void {
    const { live } = this.deps;
    if (!live) return;
    void (async () => {
      for (const record of records) await live.publishDelivery(deliveryFromState(record.snapshot, this.deps.links), timelineEventOf(record));
    })().catch((err: Error) => this.deps.log?.warn({ err: err.message, deliveryId: records[0]?.deliveryId }, 'live update not pushed by the API; the workers\' relay publishes it'));
  }
}

/** The delivery an action's Update answered with: lean deliveries answer without the booking, which the caller read first. */
function stateAnswered(result: Exclude<ActionResult, HandedActionResult>, booking: Booking): DeliveryState {
  if (!('change' in result)) {
    const { applied: _own, ...state } = result;
    return state;
  }
  return stateFrom(booking, result.change);
}
