/**
 * A worker with more open deliveries than it keeps in memory (WORKER_MAX_CACHED_WORKFLOWS) replays a
 * delivery from its history before each step. Here it keeps one, and three deliveries take their steps
 * in turns, so every step after the first runs on a replayed workflow.
 */
import { describe, expect } from 'vitest';
import { bookAndAccept, expectContiguousTimeline, expectMilestone, waitForOffer } from '../support/flow.js';
import { createDriverAt, isolatedArea, proofFor } from '../support/harness.js';
import { workerTest } from '../support/worker.js';

const it = workerTest('deliveries-evicted', { maxCachedWorkflows: 1 });

describe('deliveries evicted from the worker between steps', () => {
  it('completes three deliveries whose steps alternate, with gap-free timelines', async ({ api, customer, dispatcher, worker }) => {
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
