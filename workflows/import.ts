/**
 * One bulk import: books its pending rows a batch at a time, each row as its own delivery workflow.
 *
 * A workflow, not the request that took the file nor a queue job: a thousand starts take minutes on a
 * busy cluster, and the import must finish even when the API that took the file, or a worker, goes away
 * halfway; its retries and progress are Temporal's, and the Web UI shows where it stands. Each row's
 * delivery id derives from the client's reference and Temporal refuses a second workflow with the same
 * id, so a batch retried after a crash, or the same file uploaded twice, books nothing twice.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { DeliveryTimings } from '../domain/delivery.js';
import type { ImportProgress } from '../domain/imports.js';

type Activities = ReturnType<typeof createActivities>;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export interface ImportWorkflowInput {
  importId: string;
  timings: DeliveryTimings;
  aiDispatch: boolean;
  /** Rows one activity starts. */
  batchSize?: number;
}

export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportProgress> {
  const limit = input.batchSize ?? 100;
  while ((await acts.startImportBatch({ importId: input.importId, timings: input.timings, aiDispatch: input.aiDispatch, limit })) > 0) {
    // Each batch started and recorded; the next picks up the rows still pending.
  }
  return acts.finishImport({ importId: input.importId });
}
