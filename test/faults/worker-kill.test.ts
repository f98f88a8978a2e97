import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { expectContiguousTimeline } from '../support/flow.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';

describe('fault: the Temporal worker is SIGKILLed with 20 deliveries in flight', () => {
  const taskQueue = `deliveries-fault-worker-${process.pid}`;
  let api: TestApi;
  let worker: ChildService | undefined;
  let customer: Session;
  let dispatcher: Session;
  const startWorker = () => startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });

  beforeAll(async () => {
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: taskQueue });
    [customer, dispatcher] = await Promise.all([login(api.url, 'customer@example.com'), login(api.url, 'dispatcher@example.com')]);
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await api?.close();
  });

  it('completes every delivery with a gap-free timeline', async () => {
    const fleet = await startFleet(api.url, customer, dispatcher, 20);
    const finishing = fleet.map((flight) => finishDelivery(api.url, flight));
    await new Promise((r) => setTimeout(r, 400));
    await worker!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    worker = await startWorker();
    const finished = await Promise.all(finishing);
    expect(finished.map((d) => d.status)).toEqual(fleet.map(() => 'DELIVERED'));
    for (const flight of fleet) {
      const d = await expectContiguousTimeline(api.url, dispatcher.token, flight.id);
      for (const type of ['arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered']) {
        expect(d.timeline.filter((e: any) => e.type === type), `${flight.id} ${type}`).toHaveLength(1);
      }
      // Each notification once: a retried activity re-enqueues under the same job id, which is a no-op.
      const notices = await waitFor(`notifications of ${flight.id}`, async () => {
        const items = (await call(api.url, 'GET', `/api/v1/notifications?deliveryId=${flight.id}`, { token: customer.token })).body.items as any[];
        return items.some((n) => n.template === 'delivered') ? items : null;
      });
      const templates = notices.map((n: any) => n.template);
      expect(new Set(templates).size, templates.join(',')).toBe(templates.length);
    }
  });
});
