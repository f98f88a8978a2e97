import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, type Session, type TestApi } from '../support/harness.js';
import { bookAndAccept, expectContiguousTimeline, expectMilestone, milestone, recordHistory, runToInTransit, waitForOffer } from '../support/flow.js';

const test = apiTest();

const cancel = (api: TestApi, who: Session, id: string, reason = 'changed my mind') =>
  call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: who.token, body: { reason } });

describe('cancellation', () => {
  test('lets the customer cancel before pickup, releasing the driver and voiding the quote', async ({ api, customer, dispatcher, driver, area }) => {
    const id = await bookAndAccept(api.url, customer, area);
    await waitForOffer(api.url, dispatcher.token, id, driver);
    await expectMilestone(api.url, driver, id, 'accept_offer', 'ASSIGNED');

    const before = (await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcher.token })).body.items.find((d: any) => d.id === driver.user.driverId);
    expect(before.load.activeDeliveries).toBe(1);

    const cancelled = await cancel(api, customer, id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellation: { by: 'customer', reason: 'changed my mind' } });
    expect(cancelled.body.quote.voidedAt).toBeTruthy();

    const after = (await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcher.token })).body.items.find((d: any) => d.id === driver.user.driverId);
    expect(after.load.activeDeliveries).toBe(0);
    expect((await milestone(api.url, driver, id, 'arrived_pickup')).status).toBe(409);
    const final = await expectContiguousTimeline(api.url, customer.token, id);
    expect(final.quote.voidedAt).toBeTruthy();
    await recordHistory(id, 'customer-cancel-before-pickup');
  });

  test('refuses a customer cancel after pickup, and lets a dispatcher cancel in transit', async ({ api, customer, dispatcher, driver, area }) => {
    const id = await runToInTransit(api.url, customer, dispatcher, driver, area);

    const refused = await cancel(api, customer, id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(refused.headers.get('content-type')).toContain('application/problem+json');

    const cancelled = await cancel(api, dispatcher, id, 'customer unreachable, parcel damaged');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellation: { by: 'dispatcher' } });
    expect((await cancel(api, dispatcher, id)).status).toBe(409);
    await expectContiguousTimeline(api.url, dispatcher.token, id);
    await recordHistory(id, 'dispatcher-cancel-in-transit');
  });

  test('lets a customer cancel a quote they have not accepted', async ({ api, customer }) => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', {
      token: customer.token,
      body: { pickup: { address: 'A street 1', lat: 10, lng: 10 }, dropoff: { address: 'B street 2', lat: 10.01, lng: 10.01 }, parcel: { weightKg: 1 } },
    });
    const cancelled = await cancel(api, customer, created.body.id);
    expect(cancelled.body.status).toBe('CANCELLED');
  });
});
