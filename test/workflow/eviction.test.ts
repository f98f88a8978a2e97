/**
 * A worker with more open deliveries than it keeps in memory (WORKER_MAX_CACHED_WORKFLOWS) replays a
 * delivery from its history before each step. Here it keeps one, and three deliveries take their steps
 * in turns, so every step after the first runs on a replayed workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookAndAccept, expectContiguousTimeline, expectMilestone, waitForOffer } from '../support/flow.js';
import { createDriverAt, isolatedArea, loginAs, startTestApi, type Session, type TestApi, proofFor } from '../support/harness.js';
import { startTestWorker, type TestWorker } from '../support/worker.js';

describe('deliveries evicted from the worker between steps', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;
  let worker: TestWorker;

  beforeAll(async () => {
    worker = await startTestWorker('deliveries-evicted', { maxCachedWorkflows: 1 });
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: worker.taskQueue });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
  });

  it('completes three deliveries whose steps alternate, with gap-free timelines', async () => {
    const area = isolatedArea();
    const spots = [0, 1, 2].map((i) => ({ lat: area.lat + i * 0.3, lng: area.lng + i * 0.3 }));
    const drivers = await Promise.all(spots.map((spot) => createDriverAt(api.url, dispatcher, spot)));
    const ids: string[] = [];
    for (const [i, driver] of drivers.entries()) {
      const id = await bookAndAccept(api.url, customer, spots[i]!);
      await waitForOffer(api.url, dispatcher.token, id, driver);
      ids.push(id);
    }

    const steps = [
      ['accept_offer', 'ASSIGNED'],
      ['arrived_pickup', 'AT_PICKUP'],
      ['picked_up', 'IN_TRANSIT'],
      ['arrived_dropoff', 'AT_DROPOFF'],
      ['delivered', 'DELIVERED'],
    ] as const;
    for (const [type, status] of steps) {
      for (const [i, driver] of drivers.entries()) {
        await expectMilestone(api.url, driver, ids[i]!, type, status, proofFor(type, 'Sam'));
        // Three open, fewer kept: the SDK evicts once a new activation has taken the slot, so two at a time.
        expect(worker.worker.getStatus().numCachedWorkflows).toBeLessThan(drivers.length);
      }
    }

    for (const id of ids) {
      const final = await expectContiguousTimeline(api.url, dispatcher.token, id);
      expect(final.status).toBe('DELIVERED');
      expect(final.timeline.filter((e: any) => e.type === 'delivered')).toHaveLength(1);
    }
  });
});
