/** Driver location pings: broadcast at once to who may see them, saved in batches, pruned after the retention period. */
import { pino } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scheduleLocationPrune } from '../../api/services/location-buffer.js';
import { createSequelize } from '../../db/connection.js';
import { pause, call, createDriverAt, env, isolatedArea, login, registerCustomer, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { acceptQuote, book, closeSockets, connected, takeOffer, waitUntil } from './live-support.js';

describe('driver locations', () => {
  let api: TestApi;
  let dispatcher: Session;
  let customer: Session;
  let db: Sequelize;

  beforeAll(async () => {
    api = await startTestApi();
    dispatcher = await login(api.url, 'dispatcher@example.com');
    customer = await registerCustomer(api.url);
    db = createSequelize(env().DATABASE_URL!);
  });
  afterEach(closeSockets);
  afterAll(async () => {
    await db?.close();
    await api?.close();
  });

  const ping = (driver: Session, body: unknown) => call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body });
  const history = async (driverId: string) =>
    db.query<{ lat: number; recorded_at: Date }>('SELECT lat, recorded_at FROM driver_locations WHERE driver_id = :driverId ORDER BY recorded_at', {
      type: QueryTypes.SELECT,
      replacements: { driverId },
    });
  const position = async (driverId: string) => {
    const list = await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcher.token });
    return list.body.items.find((d: { id: string }) => d.id === driverId)?.position;
  };

  it("reaches the dispatch room and the rooms of the driver's active delivery, and no one else", async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const idle = await createDriverAt(api.url, dispatcher, isolatedArea());
    const active = await book(api.url, customer, area);
    await acceptQuote(api.url, customer, active.id);
    await takeOffer(api.url, dispatcher, driver, active.id);
    const waiting = await book(api.url, customer, isolatedArea());

    const board = await connected(api.url, { token: dispatcher.token });
    const tracking = await connected(api.url, { trackingCode: active.trackingCode });
    const owner = await connected(api.url, { token: customer.token });
    expect(await owner.socket.timeout(5000).emitWithAck('delivery:subscribe', active.id)).toMatchObject({ ok: true });
    const otherTracking = await connected(api.url, { trackingCode: waiting.trackingCode });
    const idleDriver = await connected(api.url, { token: idle.token });

    const at = new Date().toISOString();
    const body = { lat: area.lat + 0.005, lng: area.lng + 0.004, heading: 90, speedKph: 32, recordedAt: at };
    // The API remembers a driver's open deliveries until the workflow announces a change; the
    // announcement of the assignment may still be on its way.
    await waitFor('the ping on the tracking socket', async () => {
      expect((await ping(driver, body)).status).toBe(202);
      await pause(250);
      return tracking.of('driver:location').length > 0;
    }, 10_000, 0);

    const expected = { driverId: driver.user.driverId, lat: body.lat, lng: body.lng, heading: 90, at };
    // The dispatch room also carries other tests' drivers: look at this driver's pings only.
    expect(board.of('driver:location').filter(([l]) => l.driverId === driver.user.driverId).at(-1)![0]).toEqual(expected);
    expect(tracking.of('driver:location').at(-1)![0]).toEqual(expected);
    await waitUntil('the ping on the owner socket', () => owner.of('driver:location').length > 0);
    expect(owner.of('driver:location').at(-1)![0]).toEqual(expected);
    await pause(300);
    // Its own delivery's quote may still be published to it; nothing about this driver may be.
    expect(otherTracking.received.filter((e: { event: string }) => e.event !== 'tracking:updated')).toEqual([]);
    expect(idleDriver.received).toEqual([]);
  });

  it('stops sending a driver to a delivery that changed hands or ended, without waiting for the remembered list to expire', async () => {
    const area = isolatedArea();
    const [first, second] = await Promise.all([createDriverAt(api.url, dispatcher, area), createDriverAt(api.url, dispatcher, isolatedArea())]);
    const delivery = await book(api.url, customer, area);
    await acceptQuote(api.url, customer, delivery.id);
    await takeOffer(api.url, dispatcher, first, delivery.id);
    const tracking = await connected(api.url, { trackingCode: delivery.trackingCode });
    const heard = (driver: Session) => tracking.of('driver:location').filter(([l]) => l.driverId === driver.user.driverId).length;
    const pingUntilHeard = (driver: Session) =>
      waitFor(`${driver.user.name} on the tracking socket`, async () => {
        expect((await ping(driver, { lat: area.lat, lng: area.lng, recordedAt: new Date().toISOString() })).status).toBe(202);
        await pause(200);
        return heard(driver) > 0;
      }, 10_000, 0);
    /** Pings for a while and expects none of them on the tracking socket. */
    const expectUnheard = async (driver: Session) => {
      const before = heard(driver);
      for (let i = 0; i < 3; i += 1) {
        expect((await ping(driver, { lat: area.lat, lng: area.lng, recordedAt: new Date().toISOString() })).status).toBe(202);
        await pause(200);
      }
      expect(heard(driver)).toBe(before);
    };
    // The first driver's list is remembered (for OPEN_DELIVERIES_TTL_MS, 30 s) once their pings arrive.
    await pingUntilHeard(first);

    // Reassigned: the answer comes once the first driver's release is announced.
    const reassigned = await call(api.url, 'POST', `/api/v1/deliveries/${delivery.id}/assign`, { token: dispatcher.token, body: { driverId: second.user.driverId } });
    expect(reassigned.status, JSON.stringify(reassigned.body)).toBe(200);
    await pause(200);
    await expectUnheard(first);
    await pingUntilHeard(second);

    // Cancelled: the answer comes once the second driver's release is announced too.
    const cancelled = await call(api.url, 'POST', `/api/v1/deliveries/${delivery.id}/cancel`, { token: dispatcher.token, body: { reason: 'the shop closed' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await pause(200);
    await expectUnheard(second);
  });

  it('broadcasts a batch once as its latest position and saves every ping, never letting an older one win', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area);
    const driverId = driver.user.driverId!;
    const board = await connected(api.url, { token: dispatcher.token });
    const before = (await history(driverId)).length;
    const t = Date.now();
    const at = (offsetMs: number) => new Date(t + offsetMs).toISOString();
    const batch = [
      { lat: area.lat + 0.01, lng: area.lng, recordedAt: at(-20_000) },
      { lat: area.lat + 0.03, lng: area.lng, recordedAt: at(0) },
      { lat: area.lat + 0.02, lng: area.lng, recordedAt: at(-10_000) },
    ];
    const res = await ping(driver, batch);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 3 });
    await waitUntil('the broadcast', () => board.of('driver:location').some(([l]) => l.driverId === driverId));
    await pause(300);
    expect(board.of('driver:location').filter(([l]) => l.driverId === driverId)).toEqual([[{ driverId, lat: area.lat + 0.03, lng: area.lng, at: at(0) }]]);

    await waitFor('the batch saved', async () => (await history(driverId)).length === before + 3);
    expect(await position(driverId)).toMatchObject({ lat: area.lat + 0.03, lng: area.lng, at: at(0) });

    // A late, older ping goes into history but does not move the driver back.
    expect((await ping(driver, { lat: area.lat - 0.05, lng: area.lng, recordedAt: at(-60_000) })).status).toBe(202);
    await waitFor('the late ping saved', async () => (await history(driverId)).length === before + 4);
    expect(await position(driverId)).toMatchObject({ lat: area.lat + 0.03 });

    // A clock far ahead is refused; one slightly ahead is saved as "now", so the next real ping still wins.
    const farAhead = await ping(driver, { lat: area.lat + 0.04, lng: area.lng, recordedAt: at(86_400_000) });
    expect(farAhead.status).toBe(400);
    expect(JSON.stringify(farAhead.body.errors)).toContain('recordedAt');
    expect((await ping(driver, { lat: area.lat + 0.04, lng: area.lng, recordedAt: new Date(Date.now() + 45_000).toISOString() })).status).toBe(202);
    await waitFor('the slightly early ping saved', async () => (await history(driverId)).length === before + 5);
    expect(Date.parse((await position(driverId)).at)).toBeLessThanOrEqual(Date.now());
    await pause(20);
    expect((await ping(driver, { lat: area.lat + 0.05, lng: area.lng, recordedAt: new Date().toISOString() })).status).toBe(202);
    await waitFor('the next ping wins', async () => (await position(driverId))?.lat === area.lat + 0.05);
  });

  it('refuses bad pings with the field named, and pings from anyone but a driver', async () => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea());
    const recordedAt = new Date().toISOString();
    const bad = await ping(driver, { lat: 91, lng: 0, recordedAt });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('lat');
    expect((await ping(driver, [])).status).toBe(400);
    expect((await ping(driver, Array.from({ length: 501 }, () => ({ lat: 1, lng: 1, recordedAt })))).status).toBe(400);
    expect((await ping(driver, { lat: 1, lng: 1, recordedAt, speed: 3 })).status).toBe(400);
    expect((await ping(driver, { lat: 1, lng: 1, recordedAt: 'yesterday' })).status).toBe(400);
    expect((await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: customer.token, body: { lat: 1, lng: 1, recordedAt } })).status).toBe(403);
    expect((await call(api.url, 'POST', '/api/v1/drivers/me/location', { body: { lat: 1, lng: 1, recordedAt } })).status).toBe(401);
  });

  it('prunes history older than the retention period, on a schedule', async () => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea());
    const driverId = driver.user.driverId!;
    await db.query(
      `INSERT INTO driver_locations (driver_id, lat, lng, recorded_at)
       VALUES (:driverId, 1, 1, now() - interval '10 days'), (:driverId, 2, 2, now() - interval '8 days'), (:driverId, 3, 3, now() - interval '6 days')`,
      { replacements: { driverId } },
    );
    const before = await history(driverId);
    expect(before.map((r) => r.lat)).toEqual([1, 2, 3, expect.any(Number)]);

    const pruning = scheduleLocationPrune(api.running.api.services.locations, 7, pino({ level: 'silent' }), 100);
    try {
      await waitFor('old history pruned', async () => (await history(driverId)).length === 2);
    } finally {
      pruning.stop();
    }
    expect((await history(driverId)).map((r) => r.lat)).toEqual([3, before[3]!.lat]);
    expect(await api.running.api.services.locations.prune(5)).toBeGreaterThanOrEqual(1);
    expect((await history(driverId)).map((r) => r.lat)).toEqual([before[3]!.lat]);
  });
});
