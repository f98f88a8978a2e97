import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, deliveryBody, isolatedArea, type Session, type TestApi } from '../support/harness.js';
import { assignedDelivery, expectProblem, registerAndLogin } from './support.js';

const NOWHERE = '00000000-0000-4000-8000-0000000000ff';

// A customer of its own, and a driver off duty far from every offer.
const it = apiTest().extend<{ customer: Session; idleDriver: Session }>({
  customer: [async ({ api }, use) => use(await registerAndLogin(api.url)), { scope: 'file' }],
  idleDriver: [async ({ api, dispatcher }, use) => use(await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false })), { scope: 'file' }],
});

const post = (api: TestApi, path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  call(api.url, 'POST', `/api/v1${path}`, { token, body, headers });

describe('request validation and problem documents', () => {

  describe('mass assignment', () => {
    it.for([
      ['status', 'DELIVERED'],
      ['driverId', '00000000-0000-4000-8000-000000000001'],
      ['price', 1],
      ['customerId', '00000000-0000-4000-8000-000000000001'],
      ['quote', { amountCents: 1, currency: 'EUR' }],
      ['trackingCode', 'AAAAAAAAAAAAAAAA'],
      ['id', '00000000-0000-4000-8000-000000000001'],
    ] as const)('refuses `%s` in a customer’s delivery request', async ([field, value], { api, customer }) => {
      const res = await post(api, '/deliveries', customer.token, { ...deliveryBody(isolatedArea()), [field]: value });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body', message: expect.stringContaining(field) })]);
    });

    it('refuses unknown fields in nested objects and in every other body', async ({ api, customer, dispatcher, idleDriver }) => {
      const nested = await post(api, '/deliveries', customer.token, deliveryBody(isolatedArea(), { parcel: { weightKg: 1, priceCents: 0 } }));
      expectProblem(nested, 400);
      expect(nested.body.errors[0].path).toBe('body.parcel');
      expectProblem(await post(api, `/deliveries/${NOWHERE}/cancel`, customer.token, { reason: 'x', status: 'CANCELLED' }), 400);
      expectProblem(await post(api, `/deliveries/${NOWHERE}/accept-quote`, customer.token, { status: 'DELIVERED' }), 400);
      expectProblem(await post(api, `/deliveries/${NOWHERE}/assign`, dispatcher.token, { driverId: NOWHERE, force: true }), 400);
      expectProblem(await post(api, `/deliveries/${NOWHERE}/milestones`, idleDriver.token, { type: 'delivered', driverId: NOWHERE }), 400);
      expectProblem(await post(api, '/drivers', dispatcher.token, { name: 'X', email: 'x@example.com', password: 'pw-0123456789x', vehicle: { type: 'van', capacityKg: 5 }, onDuty: true }), 400);
      expectProblem(await call(api.url, 'PUT', '/api/v1/drivers/me/duty', { token: idleDriver.token, body: { onDuty: true, driverId: NOWHERE } }), 400);
      expectProblem(await post(api, '/drivers/me/location', idleDriver.token, { lat: 1, lng: 1, recordedAt: new Date().toISOString(), driverId: NOWHERE }), 400);
    });

    it('lists every field problem with its path', async ({ api, customer }) => {
      const res = await post(api, '/deliveries', customer.token, { pickup: { address: 'x', lat: 91, lng: 0 }, parcel: { weightKg: -1 }, priority: 'soon' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['body.pickup.address', 'body.pickup.lat', 'body.dropoff', 'body.parcel.weightKg', 'body.priority']));
      expect(res.body).toMatchObject({ title: 'Bad Request', detail: expect.any(String), type: expect.stringMatching(/^https:\/\//) });
    });
  });

  describe('bodies', () => {
    it('caps JSON at 1 MB with 413', async ({ api, customer }) => {
      const res = await post(api, '/deliveries', customer.token, { ...deliveryBody(isolatedArea()), notes: 'n'.repeat(1024 * 1024 + 10) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('lets a milestone carry a proof photo past 1 MB but not past its own 2 MB cap', async ({ api, idleDriver }) => {
      const photo = (bytes: number) => `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(bytes)]).toString('base64')}`;
      // 0.9 MB of image is 1.2 MB of JSON: parsed, validated, then refused only because the delivery does not exist.
      const within = await post(api, `/deliveries/${NOWHERE}/milestones`, idleDriver.token, { type: 'delivered', proof: { photo: photo(900 * 1024) } });
      expectProblem(within, 404, 'NOT_FOUND');
      const tooBigImage = await post(api, `/deliveries/${NOWHERE}/milestones`, idleDriver.token, { type: 'delivered', proof: { photo: photo(1100 * 1024) } });
      expectProblem(tooBigImage, 400, 'VALIDATION_FAILED');
      expect(tooBigImage.body.errors[0].path).toBe('body.proof.photo');
      const tooBigBody = await post(api, `/deliveries/${NOWHERE}/milestones`, idleDriver.token, { type: 'delivered', proof: { photo: photo(1600 * 1024) } });
      expectProblem(tooBigBody, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers malformed JSON with 400 without quoting the body back', async ({ api }) => {
      const res = await call(api.url, 'POST', '/api/v1/auth/login', {
        body: '{"email":"a@example.com","password":"Sup3r-Secret-Value"',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400, 'MALFORMED_JSON');
      expect(JSON.stringify(res.body)).not.toContain('Sup3r-Secret-Value');
    });

    it('refuses a body that is not JSON with 415, and JSON that is not an object with 400', async ({ api }) => {
      const text = await call(api.url, 'POST', '/api/v1/auth/login', { body: 'email=a@example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
      for (const body of ['"just a string"', '42', 'null', 'true']) {
        const res = await call(api.url, 'POST', '/api/v1/auth/login', { body, headers: { 'content-type': 'application/json' } });
        expect(res.status, body).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      }
      expectProblem(await post(api, '/auth/login', '', []), 400, 'VALIDATION_FAILED');
    });

    it('reads no body before it knows the sender: a stranger gets 401, whatever the body', async ({ api }) => {
      const malformed = await call(api.url, 'POST', '/api/v1/deliveries', { body: '{"pickup":', headers: { 'content-type': 'application/json' } });
      expectProblem(malformed, 401);
      const notJson = await call(api.url, 'POST', '/api/v1/drivers/me/location', { body: 'lat=1', headers: { 'content-type': 'text/plain' } });
      expectProblem(notJson, 401);
      expectProblem(await post(api, '/deliveries', '', { ...deliveryBody(isolatedArea()), notes: 'n'.repeat(1024 * 1024 + 10) }), 401);
    });

    it('accepts an action without a body', async ({ api, customer }) => {
      const created = await post(api, '/deliveries', customer.token, deliveryBody(isolatedArea()));
      const res = await call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/accept-quote`, { token: customer.token });
      expect(res.status).toBe(200);
    });
  });

  describe('queries, routes and ids', () => {
    it('refuses unknown or malformed query parameters', async ({ api, customer }) => {
      for (const q of ['?foo=1', '?limit=0', '?limit=201', '?limit=ten', '?status=LOST', '?status=quoted', '?driverId=7', '?cursor=bm9wZQ', '?limit=1&limit=2']) {
        expectProblem(await call(api.url, 'GET', `/api/v1/deliveries${q}`, { token: customer.token }), 400, 'VALIDATION_FAILED');
      }
      expect((await call(api.url, 'GET', '/api/v1/deliveries?status=QUOTED,DISPATCHING&limit=5', { token: customer.token })).status).toBe(200);
    });

    it('answers an unknown route with 404 and a wrong method with 405, as problems', async ({ api, customer }) => {
      expectProblem(await call(api.url, 'GET', '/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
      const wrong = await call(api.url, 'DELETE', `/api/v1/deliveries/${NOWHERE}`, { token: customer.token });
      expectProblem(wrong, 405, 'METHOD_NOT_ALLOWED');
      expect(wrong.headers.get('allow')).toContain('GET');
    });

    it('treats an id that is no UUID as not found', async ({ api, customer }) => {
      expectProblem(await call(api.url, 'GET', '/api/v1/deliveries/1%20OR%201=1', { token: customer.token }), 404, 'NOT_FOUND');
      expectProblem(await post(api, '/deliveries/../../users/x/cancel', customer.token, { reason: 'x' }), 404);
    });
  });

  describe('times reported by devices', () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

    it('refuses a milestone more than a minute in the future or older than 24 h, and keeps an offline tap’s time', async ({ api, customer, dispatcher, idleDriver }) => {
      const id = await assignedDelivery(api.url, customer, dispatcher, idleDriver);
      const future = await post(api, `/deliveries/${id}/milestones`, idleDriver.token, { type: 'arrived_pickup', at: ago(-2 * 60_000) });
      expectProblem(future, 400, 'VALIDATION_FAILED');
      expect(future.body.errors).toEqual([expect.objectContaining({ path: 'body.at' })]);
      const stale = await post(api, `/deliveries/${id}/milestones`, idleDriver.token, { type: 'arrived_pickup', at: ago(25 * 3600_000) });
      expectProblem(stale, 400, 'VALIDATION_FAILED');

      const tappedAt = ago(10 * 60_000);
      const offline = await post(api, `/deliveries/${id}/milestones`, idleDriver.token, { type: 'arrived_pickup', at: tappedAt });
      expect(offline.status).toBe(200);
      expect(offline.body.status).toBe('AT_PICKUP');
      const detail = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: idleDriver.token });
      expect(detail.body.timeline.find((e: { type: string }) => e.type === 'arrived_pickup').at).toBe(tappedAt);
      // A little clock skew is fine.
      const skewed = await post(api, `/deliveries/${id}/milestones`, idleDriver.token, { type: 'picked_up', at: ago(-30_000), proof: { recipientName: 'Pat Baker' } });
      expect(skewed.status).toBe(200);
    });

    it('refuses a location ping from the future, naming the ping', async ({ api, idleDriver }) => {
      const res = await post(api, '/drivers/me/location', idleDriver.token, [
        { lat: 1, lng: 1, recordedAt: ago(1000) },
        { lat: 1, lng: 1, recordedAt: ago(-5 * 60_000) },
      ]);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.1.recordedAt' })]);
      // Old history is harmless: a phone that was offline for days may still upload it.
      expect((await post(api, '/drivers/me/location', idleDriver.token, { lat: 1, lng: 1, recordedAt: ago(3 * 24 * 3600_000) })).status).toBe(202);
    });
  });
});
