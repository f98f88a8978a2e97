import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDriverAt, isolatedArea, loginAs, startTestApi, waitFor, waitForDelivery, type Session, type TestApi, proofFor } from '../support/harness.js';
import { bookAndAccept, expectContiguousTimeline, expectMilestone, waitForOffer } from '../support/flow.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';

/** The worker SIGKILLed mid-delivery and replaced: deliveries complete, timelines keep one event per seq. */
describe('fault: the Temporal worker is SIGKILLed with deliveries in flight', () => {
  const taskQueue = `deliveries-fault-worker-${process.pid}`;
  let api: TestApi;
  let worker: ChildService | undefined;
  let customer: Session;
  let dispatcher: Session;
  const startWorker = () => startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });

  beforeAll(async () => {
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: taskQueue });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await api?.close();
  });

  it('completes 20 deliveries with gap-free timelines', async () => {
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

  it('completes every delivery after a SIGKILL and a new worker', async () => {
    const area = isolatedArea();
    const drivers = await Promise.all([0, 1, 2].map((i) => createDriverAt(api.url, dispatcher, { lat: area.lat + i * 0.3, lng: area.lng + i * 0.3 })));
    const ids: string[] = [];
    for (const [i, driver] of drivers.entries()) {
      const id = await bookAndAccept(api.url, customer, { lat: area.lat + i * 0.3, lng: area.lng + i * 0.3 });
      await waitForOffer(api.url, dispatcher.token, id, driver);
      await expectMilestone(api.url, driver, id, 'accept_offer', 'ASSIGNED');
      ids.push(id);
    }

    // Taps in flight while the worker dies: some land before, the rest wait for the new worker. A tap that
    // outlasts the API's deadline gets 504 WORKFLOW_PENDING; the phone's retry with the same key finds its outcome.
    const tap = (i: number) =>
      call(api.url, 'POST', `/api/v1/deliveries/${ids[i]}/milestones`, {
        token: drivers[i]!.token,
        body: { type: 'arrived_pickup' },
        headers: { 'idempotency-key': `worker-kill-${ids[i]}` },
      });
    const taps = drivers.map((_, i) => tap(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(await worker!.kill('SIGKILL')).toBe(null);
    worker = await startWorker();
    const answers = await Promise.all(taps);
    for (const [i, answer] of answers.entries()) {
      expect([200, 409, 504]).toContain(answer.status);
      if (answer.status === 504) {
        expect(answer.body).toMatchObject({ code: 'WORKFLOW_PENDING' });
        await expect.poll(async () => (await tap(i)).status, { timeout: 60_000, interval: 1000 }).toBe(200);
      }
    }

    for (const [i, driver] of drivers.entries()) {
      const id = ids[i]!;
      await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'AT_PICKUP');
      await expectMilestone(api.url, driver, id, 'picked_up', 'IN_TRANSIT', proofFor('picked_up'));
      await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
      await expectMilestone(api.url, driver, id, 'delivered', 'DELIVERED', proofFor('delivered', 'Sam'));
      const final = await expectContiguousTimeline(api.url, dispatcher.token, id);
      expect(final.timeline.filter((e: any) => e.type === 'arrived_pickup')).toHaveLength(1);
    }
  });
});
