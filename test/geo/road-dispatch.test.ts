/**
 * Dispatch and ETAs on a router's answers: candidates ranked by travel time from one table call, the
 * offer and the transit ETA on road distance, and the straight-line estimate, flagged, when it is down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeoProviders } from '../../adapters/geo/providers.js';
import { loadConfig } from '../../config/env.js';
import { arrivalAfter, haversineKm } from '../../domain/geo.js';
import { expectMilestone, waitForOffer, bookAndAccept } from '../support/flow.js';
import { startOsrmStub, STUB_ROAD, type GeoStub } from '../support/geo-stubs.js';
import { call, createDriverAt, env, isolatedArea, login, startTestApi, type Session, type TestApi } from '../support/harness.js';
import { startTestWorker, type TestWorker } from '../support/worker.js';

describe('dispatch and ETAs on road distances', () => {
  let osrm: GeoStub;
  let api: TestApi;
  let dispatcher: Session;
  let customer: Session;
  let worker: TestWorker;

  beforeAll(async () => {
    osrm = await startOsrmStub();
    const config = loadConfig({ ...env(), ROUTER_URL: osrm.url });
    worker = await startTestWorker('road-deliveries', {
      deps: { trips: createGeoProviders(config, { logger: { warn: () => {}, info: () => {} } }).trips },
    });
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: worker.taskQueue, ROUTER_URL: osrm.url, OFFER_TIMEOUT_MS: '20000' });
    [dispatcher, customer] = await Promise.all([login(api.url, 'dispatcher@example.com'), login(api.url, 'customer@example.com')]);
  });
  beforeEach(() => osrm.reset());
  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await osrm?.close();
  });

  it('ranks candidates by the router’s travel time in one table call, and offers on road distance', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, { lat: area.lat + 0.01, lng: area.lng }, { name: 'Rhea Road' });
    const id = await bookAndAccept(api.url, customer, area);
    const offered = await waitForOffer(api.url, dispatcher.token, id, driver);
    expect(offered.quote.estimated).toBe(false);
    const tables = osrm.requests.filter((r) => r.path.startsWith('/table/v1/driving/'));
    expect(tables).toHaveLength(1);
    expect(tables[0]!.query.get('destinations')).toBe('1');

    const full = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    const offer = full.body.timeline.find((e: any) => e.type === 'offer_sent');
    expect(offer.data).toMatchObject({ driverId: driver.user.driverId, estimated: false, travelMinutes: expect.any(Number) });
    expect(offer.data.travelMinutes).toBeGreaterThan(0);

    await expectMilestone(api.url, driver, id, 'accept_offer', 'ASSIGNED');
    await expectMilestone(api.url, driver, id, 'arrived_pickup', 'AT_PICKUP');
    const at = new Date().toISOString();
    const inTransit = await expectMilestone(api.url, driver, id, 'picked_up', 'IN_TRANSIT', { at, proof: { recipientName: 'Pat Baker' } });
    // The ETA follows the road distance the router measured for the quote.
    expect(inTransit.eta).toBe(arrivalAfter(offered.quote.distanceKm, at));
    const after = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(after.body.timeline.find((e: any) => e.type === 'picked_up').data.etaEstimated).toBe(false);

    // As the driver moves, the ETA is measured by road from their last reported position.
    const before = Date.now();
    const line = await call(api.url, 'GET', `/api/v1/deliveries/${id}/route`, { token: customer.token });
    expect(line.body.driverEta).toMatchObject({ to: 'dropoff', estimated: false });
    const straightKm = haversineKm({ lat: area.lat + 0.01, lng: area.lng }, offered.dropoff);
    expect(line.body.driverEta.distanceKm).toBeCloseTo(straightKm * STUB_ROAD.factor, 1);
    const minutes = Math.ceil(((straightKm * STUB_ROAD.factor) / STUB_ROAD.kmh) * 60) + 4;
    expect(Date.parse(line.body.driverEta.at) - before).toBeGreaterThanOrEqual((minutes - 1) * 60_000);
    expect(Date.parse(line.body.driverEta.at) - before).toBeLessThanOrEqual((minutes + 1) * 60_000);
    const tracked = await call(api.url, 'GET', `/api/v1/track/${offered.trackingCode}/route`);
    expect(tracked.body.driverEta.to).toBe('dropoff');
  });

  it('falls back to the straight-line estimate, flagged on the offer, when the router is down', async () => {
    osrm.failAll({ status: 503 });
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, { lat: area.lat + 0.01, lng: area.lng }, { name: 'Sol Straight' });
    const id = await bookAndAccept(api.url, customer, area);
    const offered = await waitForOffer(api.url, dispatcher.token, id, driver);
    expect(offered.quote.estimated).toBe(true);
    const full = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(full.body.timeline.find((e: any) => e.type === 'offer_sent').data).toMatchObject({ estimated: true, travelMinutes: null });
    expect(osrm.requests.some((r) => r.path.startsWith('/table/'))).toBe(true);
  });
});
