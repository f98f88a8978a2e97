import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingChangedChannel } from '../../adapters/live-publisher.js';
import { toTrackingView } from '../../domain/delivery.js';
import { call, createDriverAt, deliveryBody, env, isolatedArea, login, startTestApi, waitFor, type Session, type TestApi, proofFor } from '../support/harness.js';
import { assignedDelivery, closeSql, expectProblem, ownRedisPrefix, registerAndLogin, sql } from './support.js';

describe('public tracking', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi();
    dispatcher = await login(api.url, 'dispatcher@example.com');
    customer = await registerAndLogin(api.url, 'Quinn Private-Customer');
  });
  afterAll(async () => {
    await api?.close();
    await closeSql();
  });

  const track = (code: string) => call(api.url, 'GET', `/api/v1/track/${code}`);

  it('shows a reduced view to anyone holding the code, and nothing private', async () => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', {
      token: customer.token,
      body: deliveryBody(isolatedArea(), { notes: 'Door code 4711, key under the mat' }),
    });
    const res = await track(created.body.trackingCode);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      trackingCode: created.body.trackingCode,
      status: 'QUOTED',
      seq: 1,
      delayed: false,
      eta: null,
      promisedBy: null,
      pickupWindow: null,
      dropoffWindow: null,
      pickup: { address: 'Bakery, 5th Avenue 1' },
      dropoff: { address: 'Elm St 14' },
      driver: null,
      proof: null,
      timeline: [{ seq: 1, type: 'quoted', at: expect.any(String) }],
    });
    const text = JSON.stringify(res.body);
    for (const secret of [created.body.id, customer.user.id, 'Pat Baker', 'Maria Lopez', '1234567', '4711', 'amountCents', 'Quinn']) {
      expect(text).not.toContain(secret);
    }
  });

  it('accepts the code in any case and answers unknown or malformed codes with 404', async () => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    expect((await track(created.body.trackingCode.toLowerCase())).status).toBe(200);
    expectProblem(await track('0000000000000000'), 404, 'NOT_FOUND');
    expectProblem(await track('short'), 404, 'NOT_FOUND');
    expectProblem(await track(`${created.body.trackingCode}X`), 404, 'NOT_FOUND');
    expectProblem(await track('%27%20OR%201%3D1--'), 404, 'NOT_FOUND');
  });

  it('hands out codes that are unguessable: 16 characters of Crockford base32, never repeated', async () => {
    const codes = await Promise.all(
      Array.from({ length: 8 }, async () => (await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) })).body.trackingCode),
    );
    for (const code of codes) expect(code).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('names the driver by first name and shows their position only while they carry the parcel', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Hana Okafor', onDuty: false });
    const id = await assignedDelivery(api.url, customer, dispatcher, driver);
    const code = (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token })).body.trackingCode;

    const assigned = await track(code);
    expect(assigned.body.status).toBe('ASSIGNED');
    expect(assigned.body.driver).toEqual({ firstName: 'Hana', position: { lat: area.lat, lng: area.lng, at: expect.any(String) } });
    expect(JSON.stringify(assigned.body)).not.toContain('Okafor');
    expect(JSON.stringify(assigned.body)).not.toContain(driver.user.driverId!);

    await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body: { lat: area.lat + 0.01, lng: area.lng, recordedAt: new Date().toISOString() } });
    await waitFor('moved position visible', async () => (await track(code)).body.driver?.position?.lat === area.lat + 0.01, 10_000);

    for (const type of ['arrived_pickup', 'picked_up', 'arrived_dropoff']) {
      expect((await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type, ...proofFor(type) } })).status).toBe(200);
    }
    const done = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'delivered', ...proofFor('delivered') } });
    expect(done.body.status).toBe('DELIVERED');
    const delivered = await track(code);
    expect(delivered.body.driver).toEqual({ firstName: 'Hana', position: null });
    expect(delivered.body.proof).toEqual({ recipientName: 'Maria', at: expect.any(String) });
    // Dispatch may have raised a no-driver alert before the dispatcher assigned: only the steps matter here.
    expect(delivered.body.timeline.map((e: { type: string }) => e.type).filter((t: string) => t !== 'alert')).toEqual([
      'quoted', 'quote_accepted', 'assigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered',
    ]);
    // The tracking read selects only the public columns: it must give what the domain makes of the whole delivery.
    const whole = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(delivered.body).toEqual(toTrackingView(whole.body, null));
  });

  it('serves a view from memory until its delivery changes: at once where the change was sent, on announcement elsewhere', async () => {
    // Long enough that only an eviction can explain a fresh answer within the test.
    const [hearing, deaf] = await Promise.all([
      startTestApi({ TRACKING_CACHE_MS: '60000' }),
      // Another Redis prefix: it never hears what the worker announces.
      startTestApi({ TRACKING_CACHE_MS: '60000', REDIS_PREFIX: ownRedisPrefix('tracking') }),
    ]);
    const announcements = new Redis(env().REDIS_URL!);
    try {
      const heard: string[] = [];
      announcements.on('message', (_channel: string, code: string) => heard.push(code));
      await announcements.subscribe(trackingChangedChannel(env().REDIS_PREFIX!));
      const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
      const code: string = created.body.trackingCode;
      await waitFor('the quote announced', async () => heard.includes(code), 10_000, 20);
      const trackOn = (instance: TestApi) => call(instance.url, 'GET', `/api/v1/track/${code}`);

      for (const instance of [hearing, deaf]) expect((await trackOn(instance)).body).toMatchObject({ status: 'QUOTED', delayed: false });
      // Behind the API's back (the next transition writes the row whole again): no announcement, so both keep what they read.
      await sql('UPDATE deliveries SET delayed = true WHERE tracking_code = $1', [code]);
      for (const instance of [hearing, deaf]) expect((await trackOn(instance)).body.delayed).toBe(false);

      const cancelled = await call(deaf.url, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: customer.token, body: { reason: 'changed my mind' } });
      expect(cancelled.status).toBe(200);
      expect((await trackOn(deaf)).body.status).toBe('CANCELLED');
      await waitFor('the other instance to hear of it', async () => (await trackOn(hearing)).body.status === 'CANCELLED', 5000, 20);
    } finally {
      announcements.disconnect();
      await Promise.all([hearing.close(), deaf.close()]);
    }
  });
});
