/**
 * What one workflow's history costs Temporal, read from its event history: events, payload bytes, workflow
 * tasks, activities, Updates, and actions as Temporal Cloud bills them (docs.temporal.io/cloud/actions):
 *
 * - 1 for the start (client start, child start or continue-as-new);
 * - each activity attempt (`attempt` of its started event: a retry is another action);
 * - local activities: one per workflow task that recorded any (all of one task's count once);
 * - each timer started (including those `condition(fn, timeout)` starts);
 * - each search-attribute upsert command, except one that only sets `TemporalChangeVersion` (`patched`);
 * - each signal, each accepted Update.
 *
 * Not in a history, so not counted: queries (an action each), rejected Updates (an action each, answered
 * by the validator before any event), heartbeats (none here).
 */
import type { Client } from '@temporalio/client';

export interface HistoryCost {
  events: number;
  /** Bytes of every payload (data and metadata), the part of a history that grows with what the code sends. */
  payloadBytes: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  updates: number;
  timers: number;
  upserts: number;
  actions: number;
  /** Payload bytes by the kind of event that carries them (`activityTaskScheduled`, `workflowExecutionUpdateCompleted`, …). */
  payloadByEvent: Record<string, number>;
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function payloadBytes(value: unknown, seen = new Set<object>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') {
    let bytes = record.data.length;
    for (const [key, v] of Object.entries(record.metadata as Record<string, Uint8Array>)) bytes += key.length + (v?.length ?? 0);
    return bytes;
  }
  if (value instanceof Uint8Array) return 0;
  let total = 0;
  for (const v of Object.values(record)) total += payloadBytes(v, seen);
  return total;
}

export async function historyCost(client: Client, workflowId: string): Promise<HistoryCost> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const cost: HistoryCost = { events: events.length, payloadBytes: 0, workflowTasks: 0, activities: 0, localActivities: 0, updates: 0, timers: 0, upserts: 0, actions: 0, payloadByEvent: {} };
  const tasksWithLocalActivities = new Set<string>();
  for (const e of events) {
    const bytes = payloadBytes(e);
    cost.payloadBytes += bytes;
    const kind = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
    if (kind && bytes) cost.payloadByEvent[kind.replace(/EventAttributes$/, '')] = (cost.payloadByEvent[kind.replace(/EventAttributes$/, '')] ?? 0) + bytes;
    if (e.workflowExecutionStartedEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes) cost.actions += 1;
    if (e.workflowTaskCompletedEventAttributes) cost.workflowTasks += 1;
    if (e.activityTaskScheduledEventAttributes) cost.activities += 1;
    if (e.activityTaskStartedEventAttributes) cost.actions += Math.max(1, e.activityTaskStartedEventAttributes.attempt ?? 1);
    if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
      cost.localActivities += 1;
      tasksWithLocalActivities.add(String(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
    }
    if (e.timerStartedEventAttributes) cost.timers += 1;
    const upserted = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (upserted && Object.keys(upserted).some((name) => name !== 'TemporalChangeVersion')) cost.upserts += 1;
    if (e.workflowExecutionSignaledEventAttributes) cost.actions += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) cost.updates += 1;
  }
  cost.actions += tasksWithLocalActivities.size + cost.timers + cost.upserts + cost.updates;
  return cost;
}

/** The mean cost of several histories. */
export async function meanHistoryCost(client: Client, workflowIds: string[]): Promise<HistoryCost> {
  const costs = await Promise.all(workflowIds.map((id) => historyCost(client, id)));
  const mean = (f: (c: HistoryCost) => number) => costs.reduce((a, c) => a + f(c), 0) / costs.length;
  const counts = (Object.keys(costs[0]!) as Array<keyof HistoryCost>).filter((k) => k !== 'payloadByEvent') as Array<Exclude<keyof HistoryCost, 'payloadByEvent'>>;
  const kinds = [...new Set(costs.flatMap((c) => Object.keys(c.payloadByEvent)))];
  return {
    ...(Object.fromEntries(counts.map((k) => [k, mean((c) => c[k])])) as Omit<HistoryCost, 'payloadByEvent'>),
    payloadByEvent: Object.fromEntries(kinds.map((k) => [k, mean((c) => c.payloadByEvent[k] ?? 0)])),
  };
}

/** Where a history's payload sits, largest first. */
export function describePayload(c: HistoryCost): string {
  return Object.entries(c.payloadByEvent)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, bytes]) => `${kind} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ');
}

export function describeCost(c: HistoryCost): string {
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const activities = c.localActivities ? `${n(c.activities)} activities + ${n(c.localActivities)} local` : `${n(c.activities)} activities`;
  return `${n(c.events)} events, ${(c.payloadBytes / 1024).toFixed(1)} KB payload, ${n(c.workflowTasks)} workflow tasks, ${activities}, ${n(c.updates)} updates, ${n(c.actions)} actions`;
}
