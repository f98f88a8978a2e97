import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDriverAt, isolatedArea, loginAs, startTestApi, waitFor, waitForDelivery, type Session, type TestApi } from '../support/harness.js';
import { bookAndAccept, expectContiguousTimeline, expectMilestone, milestone, recordHistory, timelineTypes, waitForOffer } from '../support/flow.js';

describe('dispatch', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi({ OFFER_TIMEOUT_MS: '1500', DISPATCH_SLA_MS: '1500', DISPATCH_RETRY_MS: '500' });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(() => api?.close());

  it('offers the next driver when the first declines', async () => {
    const area = isolatedArea();
    const near = await createDriverAt(api.url, dispatcher, area, { name: 'Near Driver' });
    const far = await createDriverAt(api.url, dispatcher, { lat: area.lat + 0.05, lng: area.lng + 0.05 }, { name: 'Far Driver' });
    const id = await bookAndAccept(api.url, customer, area);

    await waitForOffer(api.url, dispatcher.token, id, near);
    const declined = await milestone(api.url, near, id, 'decline_offer');
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('DISPATCHING');

    await waitForOffer(api.url, dispatcher.token, id, far);
    // The driver who declined no longer sees this delivery, so cannot take it back.
    expect((await milestone(api.url, near, id, 'accept_offer')).status).toBe(404);
    const assigned = await expectMilestone(api.url, far, id, 'accept_offer', 'ASSIGNED');
    expect(assigned.driver.id).toBe(far.user.driverId);
    // On a slow machine the short dispatch SLA may pass first; its alert is covered by its own test.
    const types = (await timelineTypes(api.url, dispatcher.token, id)).filter((t) => t !== 'alert');
    expect(types).toEqual(['quoted', 'quote_accepted', 'offer_sent', 'offer_declined', 'offer_sent', 'assigned']);
    await recordHistory(id, 'decline-then-next-driver');
  });

  it('offers the next driver when an offer times out', async () => {
    const area = isolatedArea();
    const silent = await createDriverAt(api.url, dispatcher, area, { name: 'Silent Driver' });
    const next = await createDriverAt(api.url, dispatcher, { lat: area.lat + 0.05, lng: area.lng + 0.05 }, { name: 'Next Driver' });
    const id = await bookAndAccept(api.url, customer, area);

    await waitForOffer(api.url, dispatcher.token, id, silent);
    await waitForOffer(api.url, dispatcher.token, id, next, 10_000);
    await expectMilestone(api.url, next, id, 'accept_offer', 'ASSIGNED');
    // The dispatch SLA alert may land between these; it is covered by its own test.
    const types = (await timelineTypes(api.url, dispatcher.token, id)).filter((t) => t !== 'alert');
    expect(types.slice(0, 5)).toEqual(['quoted', 'quote_accepted', 'offer_sent', 'offer_expired', 'offer_sent']);
    await expectContiguousTimeline(api.url, dispatcher.token, id);
  });

  it('raises an alert when no driver takes it, and a dispatcher can still assign one', async () => {
    const area = isolatedArea();
    const id = await bookAndAccept(api.url, customer, area);
    const alerted = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.timeline.some((e: any) => e.type === 'alert' && e.data.kind === 'unassigned'), 15_000);
    expect(alerted.status).toBe('DISPATCHING');
    expect(alerted.timeline.some((e: any) => e.type === 'alert' && e.data.kind === 'no_candidates')).toBe(true);

    const offDuty = await createDriverAt(api.url, dispatcher, { lat: area.lat + 1, lng: area.lng + 1 }, { name: 'Manual Pick', onDuty: false });
    const assigned = await call(api.url, 'POST', `/api/v1/deliveries/${id}/assign`, { token: dispatcher.token, body: { driverId: offDuty.user.driverId } });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'ASSIGNED', driver: { id: offDuty.user.driverId } });
    await expectMilestone(api.url, offDuty, id, 'arrived_pickup', 'AT_PICKUP');
    await recordHistory(id, 'no-driver-alert-then-manual-assign');
  });

  it('lets a dispatcher reassign before pickup, releasing the first driver', async () => {
    const area = isolatedArea();
    const first = await createDriverAt(api.url, dispatcher, area, { name: 'First Driver' });
    const second = await createDriverAt(api.url, dispatcher, { lat: area.lat + 2, lng: area.lng + 2 }, { name: 'Second Driver' });
    const id = await bookAndAccept(api.url, customer, area);
    await waitForOffer(api.url, dispatcher.token, id, first);
    await expectMilestone(api.url, first, id, 'accept_offer', 'ASSIGNED');

    const same = await call(api.url, 'POST', `/api/v1/deliveries/${id}/assign`, { token: dispatcher.token, body: { driverId: first.user.driverId } });
    expect(same.status).toBe(409);
    const reassigned = await call(api.url, 'POST', `/api/v1/deliveries/${id}/assign`, { token: dispatcher.token, body: { driverId: second.user.driverId } });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.driver.id).toBe(second.user.driverId);
    // The first driver no longer sees it at all.
    expect((await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: first.token })).status).toBe(404);
    expect((await milestone(api.url, first, id, 'arrived_pickup')).status).toBe(404);
    await expectMilestone(api.url, second, id, 'arrived_pickup', 'AT_PICKUP');
    const types = await timelineTypes(api.url, dispatcher.token, id);
    expect(types).toContain('reassigned');
  });

  it('refuses to assign an unknown driver', async () => {
    const id = await bookAndAccept(api.url, customer, isolatedArea());
    const res = await call(api.url, 'POST', `/api/v1/deliveries/${id}/assign`, { token: dispatcher.token, body: { driverId: '00000000-0000-4000-8000-000000000000' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DRIVER_NOT_FOUND');
    await waitFor('still dispatching', async () => (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body.status === 'DISPATCHING');
  });
});
