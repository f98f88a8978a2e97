/**
 * The activities of a bulk import's workflow: start the next batch of its deliveries, each as its own
 * workflow, and record what became of every row; then mark the import done.
 *
 * The starts are made here with a client, not as child workflows: a thousand children would put every
 * delivery's input into the import's history twice, and with the worker's cache full of the deliveries
 * just started, each of the import's workflow tasks would replay that whole history again.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Database } from '../db/connection.js';
import { createImportStore, type PendingImportRow } from '../db/imports.js';
import { newTrackingCode } from '../db/tracking.js';
import type { DeliveryTimings, DeliveryWorkflowInput } from '../domain/delivery.js';
import { workflowIdFor } from '../domain/delivery.js';
import { roadDistanceKm } from '../domain/geo.js';
import type { ImportProgress } from '../domain/imports.js';
import { quotePrice } from '../domain/pricing.js';
import { startingSearchAttributes } from '../domain/search-attributes.js';
import type { LivePublisher } from '../adapters/live-publisher.js';

export interface ImportBatchRequest {
  importId: string;
  timings: DeliveryTimings;
  aiDispatch: boolean;
  limit: number;
}

export interface DeliveryStarter {
  client: Client;
  taskQueue: string;
}

/** Starts in flight at once: enough to hide round trips, few enough not to swamp a busy frontend. */
const PARALLEL_STARTS = 20;

function inputFor(row: PendingImportRow, request: ImportBatchRequest, now: Date): DeliveryWorkflowInput {
  const { body } = row;
  const price = quotePrice({ distanceKm: roadDistanceKm(body.pickup, body.dropoff), parcel: body.parcel, priority: body.priority, requestedAt: now.toISOString() });
  return {
    deliveryId: row.deliveryId,
    trackingCode: newTrackingCode(),
    customerId: row.customerId,
    ...(row.organizationId ? { organizationId: row.organizationId } : {}),
    reference: row.reference,
    pickup: body.pickup,
    dropoff: body.dropoff,
    parcel: body.parcel,
    priority: body.priority,
    notes: body.notes,
    quote: { ...price, expiresAt: new Date(now.getTime() + request.timings.quoteTtlMs).toISOString() },
    autoAccept: body.autoAccept ?? false,
    timings: request.timings,
    createdAt: now.toISOString(),
    aiDispatch: request.aiDispatch,
    callerRecords: true,
  };
}

export function createImportActivities(deps: { sequelize: Database; live?: Pick<LivePublisher, 'publishImportProgress'>; starter?: DeliveryStarter }) {
  const store = createImportStore(deps.sequelize);
  const announce = async ({ progress, userId }: { progress: ImportProgress; userId: string }) => {
    // Progress is shown live, and read at GET /imports/:id whenever a message is lost: never worth a retry.
    await deps.live?.publishImportProgress(progress, userId).catch(() => {});
    return progress;
  };

  /** Whether the delivery's workflow exists because this import started it (an earlier try of this batch). */
  async function startedBy(importId: string, deliveryId: string): Promise<boolean> {
    const description = await deps.starter!.client.workflow.getHandle(workflowIdFor(deliveryId)).describe();
    return (await description.memo)?.importId === importId;
  }

  async function start(importId: string, row: PendingImportRow, input: DeliveryWorkflowInput): Promise<'created' | 'duplicate'> {
    try {
      await deps.starter!.client.workflow.start('deliveryWorkflow', {
        workflowId: workflowIdFor(row.deliveryId),
        taskQueue: deps.starter!.taskQueue,
        args: [input],
        memo: { importId },
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: startingSearchAttributes(input),
      });
      return 'created';
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      return (await startedBy(importId, row.deliveryId)) ? 'created' : 'duplicate';
    }
  }

  return {
    /**
     * Starts up to `limit` pending rows; returns how many it took (0: nothing left). A retry after a
     * crash finds the rows it already started as its own, not as duplicates.
     */
    async startImportBatch(request: ImportBatchRequest): Promise<number> {
      if (!deps.starter) throw new Error('this worker was built without a Temporal client to start imported deliveries');
      const rows = await store.pending(request.importId, request.limit);
      const now = new Date();
      const outcomes: Array<{ line: number; status: 'created' | 'duplicate' }> = [];
      for (let i = 0; i < rows.length; i += PARALLEL_STARTS) {
        const slice = rows.slice(i, i + PARALLEL_STARTS);
        const done = await Promise.all(slice.map(async (row) => ({ line: row.line, status: await start(request.importId, row, inputFor(row, request, now)) })));
        outcomes.push(...done);
        // Each slice is recorded as it lands, so the progress bar moves and a retry redoes little.
        await announce(await store.record(request.importId, done));
      }
      return outcomes.length;
    },

    async finishImport({ importId }: { importId: string }): Promise<ImportProgress> {
      return announce(await store.finish(importId));
    },
  };
}
