/**
 * The delivery workflow on the suite's Temporal dev server with stubbed activities: the state machine is
 * exercised without the API, Postgres or Redis. Each delivery's activity calls are kept by its id, so
 * tests read what the workflow asked of the world, in order.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UpdateDefinition } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { createActivities } from '../../activities/index.js';
import {
  bookingOfState, DEFAULT_TIMINGS, stateFrom, timelineEventOf, wholeTransition, workflowIdFor,
  type Booking, type DeliveryState, type DeliveryTimings, type DeliveryWorkflowInput, type SlimTransitionRecord, type TimelineEvent, type TransitionRecord,
} from '../../domain/delivery.js';
import type { RankedCandidate } from '../../domain/scoring.js';
import { deliveryWorkflow } from '../../workflows/index.js';
import { initialState } from '../../workflows/delivery/state.js';
import type { ActionArgs, ActionResult } from '../../workflows/messages.js';

/** An action's answer as the API reads it: whole states, whether the delivery answers lean or not. */
export type Answer = DeliveryState & { applied?: { event: TimelineEvent; state?: DeliveryState } };

/** As the API reads an answer; transitions handed to it are recorded first, as the API records them. */
function answerOf(result: ActionResult, booking: Booking, calls: Calls): Answer {
  if ('transitions' in result) {
    record(calls, result.transitions);
    const full = result.transitions.map((t) => wholeTransition(t, booking));
    const last = full[full.length - 1]!;
    const own = full.find((t) => t.seq === result.seq)!;
    return { ...last.snapshot, applied: { event: timelineEventOf(own), ...(own === last ? {} : { state: own.snapshot }) } };
  }
  if (!('change' in result)) return result;
  const { change, applied } = result;
  return {
    ...stateFrom(booking, change),
    ...(applied ? { applied: { event: applied.event, ...(applied.change ? { state: stateFrom(booking, applied.change) } : {}) } } : {}),
  };
}

type Activities = ReturnType<typeof createActivities>;

/** As the read model records: once per seq (a second copy changes nothing), and the relay publishes what it recorded. */
function record(calls: Calls, records: Array<TransitionRecord | SlimTransitionRecord>): void {
  for (const r of records) {
    if (calls.recorded.some((kept) => kept.seq === r.seq)) continue;
    calls.recorded.push(r);
    calls.published.push(r);
  }
}

const workflowsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../workflows/index.ts');

export interface Calls {
  /** The first transition carries the whole delivery, later ones only what a transition can change. */
  recorded: Array<TransitionRecord | SlimTransitionRecord>;
  published: Array<TransitionRecord | SlimTransitionRecord>;
  /** Compensations and searches, in the order the workflow ran them. */
  effects: string[];
}

export interface StubbedDeliveries {
  env: TestWorkflowEnvironment;
  /** Starts a delivery whose searches find these drivers; returns its handle and the calls it makes. */
  start(options: { candidates?: RankedCandidate[]; timings?: Partial<DeliveryTimings>; autoAccept?: boolean }): Promise<{
    handle: Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>;
    input: DeliveryWorkflowInput;
    calls: Calls;
    /** Sends an action's Update and answers with whole states, as the API reads them. */
    act(update: UpdateDefinition<ActionResult, [ActionArgs]>, args: ActionArgs): Promise<Answer>;
  }>;
  close(): Promise<void>;
}

export async function startStubbedDeliveries(): Promise<StubbedDeliveries> {
  const testEnv = inject('testEnv');
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnv.TEMPORAL_ADDRESS, namespace: testEnv.TEMPORAL_NAMESPACE });
  const taskQueue = `stubbed-deliveries-${randomUUID()}`;
  const calls = new Map<string, Calls>();
  const candidatesOf = new Map<string, RankedCandidate[]>();
  const of = (deliveryId: string) => calls.get(deliveryId)!;

  const activities: Partial<Activities> = {
    async recordTransition(record) {
      of(record.deliveryId).recorded.push(record);
    },
    async recordTransitions(records) {
      if (records.length > 0) record(of(records[0]!.deliveryId), records);
    },
    async publishTransition(record) {
      of(record.deliveryId).published.push(record);
    },
    async findCandidates(query) {
      of(query.deliveryId).effects.push(`findCandidates excluding [${query.excludeDriverIds.join(',')}]`);
      return (candidatesOf.get(query.deliveryId) ?? []).filter((c) => !query.excludeDriverIds.includes(c.driverId));
    },
    async loadDriver(driverId) {
      return { id: driverId, name: `Driver ${driverId}` };
    },
    async releaseDriver({ deliveryId, driverId, reason }) {
      of(deliveryId).effects.push(`releaseDriver ${driverId}: ${reason}`);
    },
    async voidQuote({ deliveryId }) {
      of(deliveryId).effects.push('voidQuote');
    },
  };
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: testEnv.TEMPORAL_NAMESPACE, taskQueue, workflowsPath, activities });
  const running = worker.run();

  return {
    env,
    async start({ candidates = [], timings = {}, autoAccept = false }) {
      const deliveryId = randomUUID();
      const createdAt = new Date().toISOString();
      const input: DeliveryWorkflowInput = {
        deliveryId,
        trackingCode: deliveryId.slice(0, 8).toUpperCase(),
        customerId: 'customer-1',
        pickup: { address: 'Pickup 1', lat: 52.5, lng: 13.4 },
        dropoff: { address: 'Drop-off 2', lat: 52.51, lng: 13.42 },
        parcel: { weightKg: 2, lengthCm: 30, widthCm: 20, heightCm: 10 },
        priority: 'standard',
        quote: { amountCents: 990, currency: 'EUR', distanceKm: 1.7, breakdown: [], expiresAt: new Date(Date.now() + 15 * 60_000).toISOString() },
        autoAccept,
        timings: { ...DEFAULT_TIMINGS, ...timings },
        createdAt,
        callerRecords: true,
      };
      calls.set(deliveryId, { recorded: [], published: [], effects: [] });
      candidatesOf.set(deliveryId, candidates);
      const handle = await env.client.workflow.start(deliveryWorkflow, { taskQueue, workflowId: workflowIdFor(deliveryId), args: [input] });
      const booking = bookingOfState(initialState(input));
      return { handle, input, calls: of(deliveryId), act: async (update, args) => answerOf(await handle.executeUpdate(update, { args: [args] }), booking, of(deliveryId)) };
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
