/** Open deliveries whose workflow has an activity failing again and again, with its last failure: for on-call. */
import type { Client } from '@temporalio/client';

export interface StuckDelivery {
  deliveryId: string;
  workflowId: string;
  status: string | null;
  activity: string;
  attempt: number;
  lastFailure: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
}

const iso = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null => {
  if (!t?.seconds) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
};

/** Running delivery workflows with a pending activity past its first attempt (so it has failed at least once). */
export async function findStuckDeliveries(client: Client, options: { minAttempt?: number; limit?: number } = {}): Promise<StuckDelivery[]> {
  const minAttempt = options.minAttempt ?? 2;
  const stuck: StuckDelivery[] = [];
  let seen = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'deliveryWorkflow' AND ExecutionStatus = 'Running'` })) {
    if (++seen > (options.limit ?? 10_000)) break;
    const description = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    for (const pending of description.raw.pendingActivities ?? []) {
      if ((pending.attempt ?? 0) < minAttempt) continue;
      const status = description.typedSearchAttributes.getAll().find((p) => p.key.name === 'DeliveryStatus')?.value;
      stuck.push({
        deliveryId: execution.workflowId.replace(/^delivery-/, ''),
        workflowId: execution.workflowId,
        status: typeof status === 'string' ? status : null,
        activity: pending.activityType?.name ?? 'unknown',
        attempt: pending.attempt ?? 0,
        lastFailure: pending.lastFailure?.message ?? '',
        lastAttemptAt: iso(pending.lastAttemptCompleteTime),
        nextAttemptAt: iso(pending.nextAttemptScheduleTime),
      });
    }
  }
  return stuck.sort((a, b) => b.attempt - a.attempt);
}
