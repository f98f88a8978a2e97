/** Who may connect and which rooms a socket ends up in: the server decides, after the same checks as HTTP. */
import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_AUDIENCE } from '../../api/auth/tokens.js';
import { pause, call, createDriverAt, env, isolatedArea, login, registerCustomer, startTestApi, type Session, type TestApi } from '../support/harness.js';
import { acceptQuote, book, closeSockets, connected, gauge, openSocket, takeOffer, waitUntil } from './live-support.js';

const ALLOWED_ORIGIN = 'https://console.partner.example';

describe('socket authorization', () => {
  let api: TestApi;
  let dispatcher: Session;
  let area: { lat: number; lng: number };

  beforeAll(async () => {
    api = await startTestApi({ CORS_ORIGINS: ALLOWED_ORIGIN });
    dispatcher = await login(api.url, 'dispatcher@example.com');
    area = isolatedArea();
  });
  afterEach(closeSockets);
  afterAll(() => api?.close());

  /** One customer signed in on two devices: two sessions. */
  async function signUp(): Promise<{ phone: Session; laptop: Session }> {
    const email = `live-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    const res = await call(api.url, 'POST', '/api/v1/auth/register', { body: { email, password, name: 'Carol Live' } });
    expect(res.status).toBe(201);
    return { phone: await login(api.url, email, password), laptop: await login(api.url, email, password) };
  }

  it("a tracking socket gets its own delivery's public view and nothing else", async () => {
    const [alice, bob] = await Promise.all([registerCustomer(api.url), registerCustomer(api.url)]);
    const driver = await createDriverAt(api.url, dispatcher, area);
    const mine = await book(api.url, alice, area);
    const theirs = await book(api.url, bob, area);
    const tracking = await connected(api.url, { trackingCode: mine.trackingCode.toLowerCase() });

    await acceptQuote(api.url, alice, mine.id);
    await acceptQuote(api.url, bob, theirs.id);
    const assigned = await takeOffer(api.url, dispatcher, driver, mine.id);
    await waitUntil('the assignment on the tracking socket', () => tracking.of('tracking:updated').some(([v]) => v.seq === assigned.seq));
    const cancel = await call(api.url, 'POST', `/api/v1/deliveries/${theirs.id}/cancel`, { token: bob.token, body: { reason: 'changed my mind' } });
    expect(cancel.status).toBe(200);
    await pause(500);

    const events = new Set(tracking.received.map((r) => r.event));
    expect([...events]).toEqual(['tracking:updated']);
    const views = tracking.of('tracking:updated').map(([v]) => v);
    expect(views.every((v) => v.trackingCode === mine.trackingCode)).toBe(true);
    expect(views.map((v) => v.seq)).toEqual([...views.map((v) => v.seq)].sort((x, y) => x - y));
    expect(views.at(-1)).toMatchObject({ status: 'ASSIGNED', driver: { firstName: 'Tess' } });
    // The reduced view of GET /track/:code: no ids, phones, contact names or customer.
    const text = JSON.stringify(views);
    for (const secret of [alice.user.id, mine.id, '+49 30 1234567', 'Pat Baker', 'customerId']) expect(text).not.toContain(secret);
    expect(views.at(-1)).toEqual((await call(api.url, 'GET', `/api/v1/track/${mine.trackingCode}`)).body);

    const ack = await tracking.socket.timeout(5000).emitWithAck('delivery:subscribe', theirs.id);
    expect(ack).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('subscriptions follow the HTTP scoping: own deliveries only, and only while a driver carries them', async () => {
    const [alice, bob] = await Promise.all([registerCustomer(api.url), registerCustomer(api.url)]);
    const here = isolatedArea();
    const [carrier, stranger] = [await createDriverAt(api.url, dispatcher, here), await createDriverAt(api.url, dispatcher, isolatedArea())];
    const delivery = await book(api.url, alice, here);
    const subscribe = async (who: Session, id = delivery.id) => {
      const s = await connected(api.url, { token: who.token });
      return { s, ack: await s.socket.timeout(5000).emitWithAck('delivery:subscribe', id) };
    };

    expect((await subscribe(alice)).ack).toMatchObject({ ok: true, delivery: { id: delivery.id, seq: 1 } });
    expect((await subscribe(bob)).ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect((await subscribe(stranger)).ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect((await subscribe(carrier)).ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect((await subscribe(alice, 'not-a-uuid')).ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });

    // A stranger's socket hears nothing of it, however the delivery moves.
    const strangerSocket = await connected(api.url, { token: stranger.token });
    const bobSocket = await connected(api.url, { token: bob.token });
    await acceptQuote(api.url, alice, delivery.id);
    await takeOffer(api.url, dispatcher, carrier, delivery.id);
    const asCarrier = await subscribe(carrier);
    expect(asCarrier.ack).toMatchObject({ ok: true, delivery: { status: 'ASSIGNED' } });

    // Reassigned away: the old driver is told, leaves the room, and cannot subscribe again.
    const other = await createDriverAt(api.url, dispatcher, here);
    const reassign = await call(api.url, 'POST', `/api/v1/deliveries/${delivery.id}/assign`, { token: dispatcher.token, body: { driverId: other.user.driverId } });
    expect(reassign.status, JSON.stringify(reassign.body)).toBe(200);
    await waitUntil('the release', () => asCarrier.s.of('delivery:released').length === 1);
    expect(asCarrier.s.of('delivery:released')[0]![0]).toEqual({ deliveryId: delivery.id, reason: 'reassigned' });
    const before = asCarrier.s.of('delivery:updated').length;
    const cancel = await call(api.url, 'POST', `/api/v1/deliveries/${delivery.id}/cancel`, { token: dispatcher.token, body: { reason: 'test' } });
    expect(cancel.status).toBe(200);
    expect((await subscribe(alice)).ack).toMatchObject({ ok: true, delivery: { status: 'CANCELLED' } });
    await pause(500);
    expect(asCarrier.s.of('delivery:updated').length).toBe(before);
    expect((await subscribe(carrier)).ack).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(strangerSocket.received).toEqual([]);
    expect(bobSocket.received).toEqual([]);
  });

  it('refuses a handshake without a valid access token or tracking code', async () => {
    const customer = await registerCustomer(api.url);
    const forged = await new SignJWT({ role: 'admin', typ: 'access', sid: decodeJwt(customer.token).sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(customer.user.id)
      .setIssuer('logistics-platform')
      .setAudience(ACCESS_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-0123456789abcdef0123456789'));
    const refusals = [
      {},
      { token: '' },
      { token: 'not.a.jwt' },
      { token: forged },
      { token: customer.refreshToken },
      { token: 42 },
      { trackingCode: 'ZZZZZZZZZZZZZZZZ' },
      { trackingCode: "' OR 1=1 --" },
    ];
    for (const auth of refusals) {
      const s = openSocket(api.url, auth);
      expect(await s.outcome, JSON.stringify(auth)).toBe('unauthorized');
      expect(s.socket.connected).toBe(false);
    }
    expect(await openSocket(api.url, { token: customer.token }).outcome).toBe('connected');
  });

  it('refuses a browser from a foreign Origin and accepts its own and the allow-listed one', async () => {
    const { token } = await login(api.url, 'customer@example.com');
    const handshake = (origin?: string) =>
      fetch(`${api.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} }).then((r) => r.status);
    expect(await handshake('https://evil.example')).toBe(403);
    expect(await handshake('null')).toBe(403);
    expect(await handshake(ALLOWED_ORIGIN)).toBe(200);
    expect(await handshake(new URL(env().PUBLIC_URL ?? 'http://localhost:8000').origin)).toBe(200);
    expect(await handshake()).toBe(200);

    const evil = openSocket(api.url, { token }, { origin: 'https://evil.example' });
    expect(await evil.outcome).not.toBe('connected');
    const evilPolling = openSocket(api.url, { token }, { origin: 'https://evil.example', transports: ['polling'] });
    expect(await evilPolling.outcome).not.toBe('connected');
    expect(await openSocket(api.url, { token }, { origin: ALLOWED_ORIGIN }).outcome).toBe('connected');
  });

  it('logout, a reused refresh token and a disabled account end those sockets and no others', async () => {
    const admin = await login(api.url, 'admin@example.com');
    const [carol, dave, erin, bystanderUser] = await Promise.all([1, 2, 3, 4].map(() => signUp()));
    const bystander = await connected(api.url, { token: bystanderUser!.phone.token });
    const revokedBy = async (session: Session, act: () => Promise<void>) => {
      const sockets = [await connected(api.url, { token: session.token }), await connected(api.url, { token: session.token })];
      await act();
      await waitUntil('both sockets closed', () => sockets.every((s) => !s.socket.connected));
      return sockets.map((s) => s.of('session:revoked').map(([info]) => info.reason));
    };

    // Logging out on the phone leaves the same user's laptop connected.
    const laptop = await connected(api.url, { token: carol!.laptop.token });
    // A loaded CI machine can drop a socket by ping timeout; only a server-side disconnect would be a revocation.
    const dropped: Record<string, string> = {};
    laptop.socket.on('disconnect', (reason) => (dropped.laptop = reason));
    bystander.socket.on('disconnect', (reason) => (dropped.bystander = reason));
    const logout = await revokedBy(carol!.phone, async () => {
      const res = await call(api.url, 'POST', '/api/v1/auth/logout', { token: carol!.phone.token, body: { refreshToken: carol!.phone.refreshToken } });
      expect(res.status).toBe(204);
    });
    expect(logout).toEqual([['logged out'], ['logged out']]);
    expect(await openSocket(api.url, { token: carol!.phone.token }).outcome).toBe('unauthorized');

    const reuse = await revokedBy(dave!.phone, async () => {
      const rotated = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: dave!.phone.refreshToken } });
      expect(rotated.status).toBe(200);
      const replayed = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: dave!.phone.refreshToken } });
      expect(replayed.body.code).toBe('REFRESH_REUSED');
    });
    expect(reuse).toEqual([['session revoked: refresh token reused'], ['session revoked: refresh token reused']]);
    expect(await openSocket(api.url, { token: dave!.phone.token }).outcome).toBe('unauthorized');

    // Disabling the account ends every sign-in of it.
    const erinLaptop = await connected(api.url, { token: erin!.laptop.token });
    const disabled = await revokedBy(erin!.phone, async () => {
      const res = await call(api.url, 'POST', `/api/v1/users/${erin!.phone.user.id}/disable`, { token: admin.token, body: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
    expect(disabled).toEqual([['account disabled'], ['account disabled']]);
    await waitUntil('the laptop closed too', () => !erinLaptop.socket.connected);
    expect(await openSocket(api.url, { token: erin!.laptop.token }).outcome).toBe('unauthorized');

    expect(dropped.laptop).not.toBe('io server disconnect');
    expect(laptop.received).toEqual([]);
    expect(dropped.bystander).not.toBe('io server disconnect');
    expect(bystander.received).toEqual([]);
    expect(await openSocket(api.url, { token: carol!.laptop.token }).outcome).not.toBe('unauthorized');
  });

  it('counts connected clients in socketio_connected_clients and drops oversized messages', async () => {
    const { token } = await login(api.url, 'customer@example.com');
    const before = await gauge(api.url, 'socketio_connected_clients');
    const sockets = [await connected(api.url, { token }), await connected(api.url, { token }), await connected(api.url, { token })];
    expect(await gauge(api.url, 'socketio_connected_clients')).toBe(before + 3);

    const reasons: string[] = [];
    sockets[0]!.socket.on('disconnect', (reason) => reasons.push(reason));
    sockets[0]!.socket.emit('delivery:subscribe', 'x'.repeat(64 * 1024), () => {});
    await waitUntil('the oversized message cut', () => reasons.length === 1);
    sockets[1]!.socket.disconnect();
    await expect.poll(() => gauge(api.url, 'socketio_connected_clients'), { timeout: 5000 }).toBe(before + 1);
  });
});
