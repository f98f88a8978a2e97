import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivedAtPickupUpdate, confirmPickupUpdate } from '../../workflows/messages.js';
import { call, createDriverAt, isolatedArea, loginAs, startTestApi, waitFor, waitForDelivery, type Session, type TestApi, proofFor } from '../support/harness.js';
import { book, bookAndAccept, expectContiguousTimeline, expectMilestone, recordHistory, runToInTransit, temporalClient, waitForOffer } from '../support/flow.js';

describe('timers, search attributes and Update semantics', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi({ QUOTE_TTL_MS: '1500', DELIVERY_PROMISE_MS: '1200' });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(() => api?.close());

  it('expires a quote nobody accepts', async () => {
    const id = await book(api.url, customer, isolatedArea());
    const expired = await waitForDelivery(api.url, customer.token, id, (d) => d.status === 'EXPIRED', 10_000);
    expect(expired.quote.voidedAt).toBeTruthy();
    const late = await call(api.url, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token });
    expect(late.status).toBe(409);
    await recordHistory(id, 'quote-expired');
  });

  it('marks a late delivery Delayed, tells the customer, and keeps search attributes current', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const id = await runToInTransit(api.url, customer, dispatcher, driver, area);
    const delayed = await waitForDelivery(api.url, customer.token, id, (d) => d.delayed && d.timeline.some((e: any) => e.type === 'ai'), 10_000);
    const message = delayed.timeline.find((e: any) => e.type === 'ai');
    expect(message.data).toMatchObject({ use: 'delay_message', source: 'fallback' });
    expect(message.data.message).toContain(delayed.trackingCode);

    // DELAYED is a reserved word of the SQL dialect Temporal parses: the name needs backticks.
    const client = await temporalClient();
    const found = await waitFor('search attributes', async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = 'delivery-${id}' AND \`Delayed\` = true AND DeliveryStatus = 'IN_TRANSIT' AND DriverId = '${driver.user.driverId}' AND CustomerId = '${customer.user.id}'` })) ids.push(wf.workflowId);
      return ids.length === 1 ? ids : null;
    });
    expect(found).toEqual([`delivery-${id}`]);

    await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    await expectMilestone(api.url, driver, id, 'delivered', 'DELIVERED', proofFor('delivered'));
    await recordHistory(id, 'late-delivery-delayed');
  });

  it('rejects an Update from a driver who is not assigned, in the workflow itself', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const id = await bookAndAccept(api.url, customer, area);
    await waitForOffer(api.url, dispatcher.token, id, driver);
    await expectMilestone(api.url, driver, id, 'accept_offer', 'ASSIGNED');
    const handle = (await temporalClient()).workflow.getHandle(`delivery-${id}`);
    const attempt = handle.executeUpdate(arrivedAtPickupUpdate, {
      args: [{ actor: { kind: 'driver', userId: 'someone-else', driverId: '00000000-0000-4000-8000-000000000001' } }],
    });
    await expect(attempt).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(attempt).rejects.toMatchObject({ cause: { type: 'NOT_YOUR_DELIVERY' } });
    // Rejected Updates leave no trace in the timeline.
    await expectContiguousTimeline(api.url, dispatcher.token, id);
  });

  it('applies an Update sent twice with the same id once', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const id = await bookAndAccept(api.url, customer, area);
    await waitForOffer(api.url, dispatcher.token, id, driver);
    await expectMilestone(api.url, driver, id, 'accept_offer', 'ASSIGNED');
    await expectMilestone(api.url, driver, id, 'arrived_pickup', 'AT_PICKUP');
    const handle = (await temporalClient()).workflow.getHandle(`delivery-${id}`);
    const args = [{ actor: { kind: 'driver' as const, userId: driver.user.id, driverId: driver.user.driverId }, proof: { recipientName: 'Pat Baker' } }] as [never];
    const first = await handle.executeUpdate(confirmPickupUpdate, { args, updateId: 'tap-123' });
    const second = await handle.executeUpdate(confirmPickupUpdate, { args, updateId: 'tap-123' });
    expect(second).toEqual(first);
    // The caller records what the Update answers; this one is not the API, so the API catches up instead.
    expect(await api.running.api.services.updates.catchUp(id)).toBe(1);
    const body = await expectContiguousTimeline(api.url, dispatcher.token, id);
    expect(body.timeline.filter((e: any) => e.type === 'picked_up')).toHaveLength(1);

    // Over HTTP the same holds with an Idempotency-Key.
    const headers = { 'Idempotency-Key': `arrive-${id}` };
    const a = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_dropoff' }, headers });
    const b = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_dropoff' }, headers });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.seq).toBe(a.body.seq);
    const after = await expectContiguousTimeline(api.url, dispatcher.token, id);
    expect(after.timeline.filter((e: any) => e.type === 'arrived_dropoff')).toHaveLength(1);
  });
});
