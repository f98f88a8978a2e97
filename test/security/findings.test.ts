/**
 * The holes found by probing the running system as an attacker or a buggy client would, each answered
 * as docs/RELIABILITY.md says. Every test here failed before the fixes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_HTML } from '../../api/openapi.js';
import { assignedDelivery, closeSql, expectProblem, ownRedisPrefix, registerAndLogin, sql, strongPassword, uniqueEmail } from '../api/support.js';
import { bookAndAccept, milestone, waitForOffer } from '../support/flow.js';
import { call, createDriverAt, deliveryBody, isolatedArea, loginAs, startTestApi, type Session, type TestApi } from '../support/harness.js';

const PNG = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]).toString('base64')}`;

describe('findings of the attack probe', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('findings') });
    [dispatcher] = await loginAs(api.url, 'dispatcher');
    customer = await registerAndLogin(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await closeSql();
  });

  const deliveriesOf = async (customerId: string) => (await sql('SELECT count(*)::int AS n FROM deliveries WHERE customer_id = $1', [customerId]))[0].n as number;

  describe('1: a refused character never reaches a workflow', () => {
    it.each([
      ['NUL', 'Main St\u0000 1'],
      ['a bell', 'Main St\u0007 1'],
      ['a lone surrogate', 'Main St \uD800 1'],
      ['a C1 control', 'Main St \u0085 1'],
    ])('refuses %s in pickup.address with 400 naming the field, at once, and starts nothing', async (_what, address) => {
      const before = await deliveriesOf(customer.user.id);
      const started = Date.now();
      const res = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { pickup: { address, lat: 10, lng: 10 } }) });
      expect(Date.now() - started).toBeLessThan(1000);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.pickup.address', message: expect.stringMatching(/control character|lone surrogate/) })]);
      expect(await deliveriesOf(customer.user.id)).toBe(before);
    });

    it('keeps newline, tab, right-to-left marks and emoji', async () => {
      const res = await call(api.url, 'POST', '/api/v1/deliveries', {
        token: customer.token,
        body: deliveryBody(isolatedArea(), { notes: 'ring twice\n\tthen wait 📦 \u200Fשלום\u200E' }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await call(api.url, 'POST', `/api/v1/deliveries/${res.body.id}/cancel`, { token: customer.token, body: { reason: 'test over' } });
    });

    it('refuses NUL in a cancel reason and leaves the delivery as it was', async () => {
      const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
      const res = await call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: customer.token, body: { reason: 'oops\u0000' } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('body.reason');
      const after = await call(api.url, 'GET', `/api/v1/deliveries/${created.body.id}`, { token: customer.token });
      expect(after.body.status).toBe('QUOTED');
      expect((await call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: customer.token, body: { reason: 'fine' } })).status).toBe(200);
    });

    it('refuses NUL in a registration name and stores no account', async () => {
      const email = uniqueEmail('nul');
      const res = await call(api.url, 'POST', '/api/v1/auth/register', { body: { email, password: strongPassword(), name: 'Eve\u0000' } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('body.name');
      expect(await sql('SELECT 1 FROM users WHERE email = $1', [email])).toHaveLength(0);
    });

    it('refuses control characters in a query string', async () => {
      const res = await call(api.url, 'GET', `/api/v1/deliveries?q=${encodeURIComponent('a\u0000b')}`, { token: customer.token });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).toBe('query.q');
    });
  });

  it('2: a refused milestone stores no proof image', async () => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const id = await assignedDelivery(api.url, customer, dispatcher, driver);
    // ASSIGNED: a delivery cannot be delivered before it is picked up.
    const refused = await milestone(api.url, driver, id, 'delivered', { proof: { recipientName: 'Sam', photo: PNG } });
    expectProblem(refused, 409, 'INVALID_TRANSITION');
    // A milestone that keeps no proof does not store one either.
    expect((await milestone(api.url, driver, id, 'arrived_pickup', { proof: { photo: PNG } })).status).toBe(200);
    expect(await sql('SELECT id FROM proofs WHERE delivery_id = $1', [id])).toHaveLength(0);
    // An accepted one does, and its id is the one the delivery carries.
    const picked = await milestone(api.url, driver, id, 'picked_up', { proof: { recipientName: 'Sam', photo: PNG } });
    expect(picked.status, JSON.stringify(picked.body)).toBe(200);
    const rows = await sql('SELECT id FROM proofs WHERE delivery_id = $1', [id]);
    expect(rows).toHaveLength(1);
    const photo = await call(api.url, 'GET', `/api/v1/deliveries/${id}/proofs/${rows[0].id}`, { token: driver.token });
    expect(photo.status).toBe(200);
    await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });
  });

  describe('4: pages carry a Content-Security-Policy and the browser keeps no refresh token in reach of script', () => {
    it('sends a hash-based policy with the API reference page, matching its inline script', async () => {
      const res = await fetch(`${api.url}/api/v1/docs`);
      const policy = res.headers.get('content-security-policy') ?? '';
      const html = await res.text();
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
      const hash = createHash('sha256').update(script).digest('base64');
      expect(policy).toContain(`script-src 'self' 'sha256-${hash}'`);
      expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(DOCS_HTML).toContain('<script>');
    });

    it('keeps the refresh token in an httpOnly SameSite=Strict cookie when the browser asks, and in the body for API clients', async () => {
      const { email, password } = await registerAndLogin(api.url);
      const mode = { 'x-refresh-token-transport': 'cookie' };
      const login = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email, password }, headers: mode });
      expect(login.status).toBe(200);
      expect(login.body.refreshToken).toBeUndefined();
      expect(login.body.accessToken).toEqual(expect.any(String));
      const cookie = login.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^lp_refresh=rt_[^;]+; path=\/api\/v1\/auth; .*samesite=strict; httponly/i);

      const jar = cookie.split(';')[0]!;
      const refreshed = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: {}, headers: { ...mode, cookie: jar } });
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect(refreshed.body.refreshToken).toBeUndefined();
      const rotated = (refreshed.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(rotated).not.toBe(jar);
      // The rotated-out cookie is a reuse: the whole session is revoked, as with a body token.
      expectProblem(await call(api.url, 'POST', '/api/v1/auth/refresh', { body: {}, headers: { ...mode, cookie: jar } }), 401, 'REFRESH_REUSED');
      // Without the header the cookie is not read, so it cannot be turned into a token in a body.
      expectProblem(await call(api.url, 'POST', '/api/v1/auth/refresh', { body: {}, headers: { cookie: rotated } }), 400, 'VALIDATION_FAILED');

      const json = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
      expect(json.body.refreshToken).toMatch(/^rt_/);
      expect(json.headers.get('set-cookie')).toBe(null);
      expect((await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: json.body.refreshToken } })).body.refreshToken).toMatch(/^rt_/);
    });
  });

  it('5: a quote farther than a courier run is refused with 422 DISTANCE_TOO_LONG', async () => {
    const before = await deliveriesOf(customer.user.id);
    const res = await call(api.url, 'POST', '/api/v1/deliveries', {
      token: customer.token,
      body: { pickup: { address: 'North Pole', lat: 89.9, lng: 0 }, dropoff: { address: 'South Pole', lat: -89.9, lng: 179 }, parcel: { weightKg: 1000 } },
    });
    expectProblem(res, 422, 'DISTANCE_TOO_LONG');
    expect(res.body.errors[0].path).toBe('body.dropoff');
    expect(await deliveriesOf(customer.user.id)).toBe(before);
  });

  describe('6: registration', () => {
    it('answers a taken e-mail exactly like a free one and stores nothing', async () => {
      const email = uniqueEmail('taken');
      const first = await call(api.url, 'POST', '/api/v1/auth/register', { body: { email, password: strongPassword(), name: 'First' } });
      const second = await call(api.url, 'POST', '/api/v1/auth/register', { body: { email: email.toUpperCase(), password: strongPassword(), name: 'First' } });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(Object.keys(second.body.user).sort()).toEqual(Object.keys(first.body.user).sort());
      expect(second.body.user).toMatchObject({ email, name: 'First', role: 'customer' });
      expect(second.body.user.id).not.toBe(first.body.user.id);
      expect(await sql('SELECT id FROM users WHERE email = $1', [email])).toEqual([{ id: first.body.user.id }]);
    });

    // The per-address limit needs an API with a small limit of its own: test/security/register-limit.test.ts.
  });

  describe('7: precise answers', () => {
    it('answers a double-tapped accept_offer from the same driver with the delivery, both times', async () => {
      const area = isolatedArea();
      const driver = await createDriverAt(api.url, dispatcher, area);
      const id = await bookAndAccept(api.url, customer, area);
      await waitForOffer(api.url, dispatcher.token, id, driver);
      const [a, b] = await Promise.all([milestone(api.url, driver, id, 'accept_offer'), milestone(api.url, driver, id, 'accept_offer')]);
      expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([200, 200]);
      const again = await milestone(api.url, driver, id, 'accept_offer');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'ASSIGNED', driver: { id: driver.user.driverId } });
      const timeline = (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body.timeline.map((e: { type: string }) => e.type);
      expect(timeline.filter((t: string) => t === 'assigned')).toHaveLength(1);
      // Another driver still gets the refusal that tells them the offer is not theirs.
      const other = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
      expect((await milestone(api.url, other, id, 'accept_offer')).status).toBe(404);
      await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });
    });

    it.each(['application/vnd.evil+json', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded'])('refuses a %s body with 415', async (type) => {
      const res = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: JSON.stringify(deliveryBody(isolatedArea())), headers: { 'content-type': type } });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
