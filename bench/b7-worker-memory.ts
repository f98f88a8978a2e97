/**
 * B7: resident memory of a delivery worker process (worker/temporal-worker.ts, as `npm start` runs it)
 * holding many open deliveries, each started as the API starts one and waiting in QUOTED for the
 * customer. Baseline: the same process idle, polling, before the first delivery.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/env.js';
import { newTrackingCode } from '../api/services/deliveries-service.js';
import { workflowIdFor, type DeliveryWorkflowInput } from '../domain/delivery.js';
import { roadDistanceKm } from '../domain/geo.js';
import { quotePrice } from '../domain/pricing.js';
import { searchAttributes } from '../domain/search-attributes.js';
import { quoteRecordedUpdate } from '../workflows/messages.js';
import type { Figure } from './lib/context.js';
import { startWorker } from './lib/env.js';
import { deliveryBody, area } from './lib/http.js';
import { rssMb, settledRssMb } from './lib/processes.js';
import { settle } from './lib/sockets.js';

const LIMIT_MB = 500;

/** Where a worker's memory is, from its own metrics (prom-client's process and V8 gauges), in MB. */
async function heapMb(metricsUrl: string): Promise<{ heapTotal: number; heapUsed: number; external: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return { heapTotal: mb('nodejs_heap_size_total_bytes'), heapUsed: mb('nodejs_heap_size_used_bytes'), external: mb('nodejs_external_memory_bytes') };
}

export const workerMemoryFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const taskQueue = `deliveries-bench-${process.pid}-memory`;
  const env = { ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue };
  const timings = loadConfig(env).timings;
  log(`B7: a worker process with ${sizes.openDeliveries} open deliveries`);
  const worker = await startWorker('memory worker', 'worker/temporal-worker.ts', stack.client, env);
  try {
    await settle(3000);
    const idle = await rssMb(worker.pid);
    const idleHeap = await heapMb(worker.metricsUrl);
    const at = area(ctx.nextAreaOffset(1));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < sizes.openDeliveries) {
          next += 1;
          const body = deliveryBody(at);
          const now = new Date();
          const price = quotePrice({ distanceKm: roadDistanceKm(body.pickup, body.dropoff), parcel: body.parcel, priority: 'standard', requestedAt: now.toISOString() });
          const input: DeliveryWorkflowInput = {
            deliveryId: randomUUID(),
            trackingCode: newTrackingCode(),
            customerId: ctx.db.customerId,
            pickup: body.pickup,
            dropoff: body.dropoff,
            parcel: body.parcel,
            priority: 'standard',
            quote: { ...price, expiresAt: new Date(now.getTime() + timings.quoteTtlMs).toISOString() },
            timings,
            createdAt: now.toISOString(),
            callerRecords: true,
          };
          const handle = await stack.client.workflow.start('deliveryWorkflow', {
            workflowId: workflowIdFor(input.deliveryId),
            taskQueue,
            args: [input],
            typedSearchAttributes: [
              { key: searchAttributes.status, value: 'QUOTED' },
              { key: searchAttributes.customerId, value: input.customerId },
              { key: searchAttributes.priority, value: 'standard' },
              { key: searchAttributes.delayed, value: false },
            ],
          });
          // As the API does: the delivery exists once its quote is in the read model.
          await handle.executeUpdate(quoteRecordedUpdate, { args: [{}] });
        }
      }),
    );
    const startSeconds = (performance.now() - started) / 1000;
    await settle(3000);
    const loaded = await settledRssMb(worker.pid);
    const heap = { idle: idleHeap, loaded: await heapMb(worker.metricsUrl) };
    const perDeliveryKb = ((loaded.rss - idle.rss) * 1024) / sizes.openDeliveries;
    log(`B7: started in ${startSeconds.toFixed(0)} s; RSS idle ${idle.rss.toFixed(0)} MB, loaded ${loaded.rss.toFixed(0)} MB, steady after ${loaded.seconds + 3} s (peak ${loaded.peak.toFixed(0)} MB)`);
    const describeHeap = (h: Awaited<ReturnType<typeof heapMb>>) =>
      `V8 heap ${h.heapTotal.toFixed(0)} MB (${h.heapUsed.toFixed(0)} used), external ${h.external.toFixed(0)} MB`;
    log(`B7: idle ${describeHeap(heap.idle)}; loaded ${describeHeap(heap.loaded)}; the rest of RSS is code, stacks and native memory`);
    return [
      {
        id: 'B7',
        name: 'worker memory',
        value: `${loaded.rss.toFixed(0)} MB RSS with ${sizes.openDeliveries} open (${perDeliveryKb.toFixed(0)} KB each)`,
        baseline: `${idle.rss.toFixed(0)} MB RSS idle`,
        ratio: idle.rss / loaded.rss,
        target: `≤ ${LIMIT_MB} MB`,
        met: loaded.rss <= LIMIT_MB,
        details: { idle, loaded, heap, perDeliveryKb, startSeconds },
      },
    ];
  } finally {
    await worker.stop();
  }
};
