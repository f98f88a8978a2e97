import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, deliveryBody, waitForDelivery } from '../support/harness.js';
import { milestone, recordHistory } from '../support/flow.js';

const SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]).toString('base64')}`;

const test = apiTest();

describe('delivery lifecycle', () => {
  test('walks quote → dispatch → pickup → transit → delivered with proof', async ({ api, customer, dispatcher, area }) => {
    // A driver of its own, for the name the delivery must show.
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Hana Okafor' });
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area), headers: { 'X-Request-Id': 'req-book-1' } });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const accepted = await call(api.url, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('DISPATCHING');

    const offered = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId === driver.user.driverId);
    expect(offered.status).toBe('DISPATCHING');

    const assigned = await milestone(api.url, driver, id, 'accept_offer');
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'ASSIGNED', driver: { id: driver.user.driverId, name: 'Hana Okafor' } });

    const arrived = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_pickup' }, headers: { 'X-Request-Id': 'req-tap-7' } });
    expect(arrived.body.status).toBe('AT_PICKUP');
    const pickedUp = await milestone(api.url, driver, id, 'picked_up', { proof: { recipientName: 'Pat Baker' } });
    expect(pickedUp.body.status).toBe('IN_TRANSIT');
    expect(pickedUp.body.eta).toBeTruthy();
    expect(pickedUp.body.promisedBy).toBeTruthy();
    expect((await milestone(api.url, driver, id, 'arrived_dropoff')).body.status).toBe('AT_DROPOFF');
    const delivered = await milestone(api.url, driver, id, 'delivered', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE } });
    expect(delivered.status).toBe(200);
    expect(delivered.body.status).toBe('DELIVERED');
    expect(delivered.body.proof.signatureId).toMatch(/^[0-9a-f-]{36}$/);

    const final = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token });
    const types = final.body.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(['quoted', 'quote_accepted', 'offer_sent', 'assigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered']);
    expect(final.body.timeline.map((e: { seq: number }) => e.seq)).toEqual(types.map((_: string, i: number) => i + 1));
    // Each step remembers the API request behind it, so logs and queued jobs can be followed back.
    expect(final.body.timeline[0].actor.requestId).toBe('req-book-1');
    expect(final.body.timeline.find((e: any) => e.type === 'arrived_pickup').actor.requestId).toBe('req-tap-7');
    await recordHistory(id, 'happy-path');
  });
});
