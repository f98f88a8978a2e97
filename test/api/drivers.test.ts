import { afterAll, describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, isolatedArea, login, type Session, type TestApi } from '../support/harness.js';
import { assignedDelivery, closeSql, expectProblem, registerAndLogin, sql, strongPassword, uniqueEmail } from './support.js';

const it = apiTest();

const roster = async (api: TestApi, dispatcher: Session) => (await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcher.token })).body.items as any[];
const newDriver = (api: TestApi, token: string, overrides: Record<string, unknown> = {}) =>
  call(api.url, 'POST', '/api/v1/drivers', {
    token,
    body: { name: 'Noor Haddad', email: uniqueEmail('driver'), password: strongPassword(), vehicle: { type: 'cargo_bike', capacityKg: 90 }, ...overrides },
  });

describe('drivers', () => {
  afterAll(() => closeSql());

  it('creates a driver account that can log in, off duty, on the roster', async ({ api, dispatcher }) => {
    const email = uniqueEmail('driver');
    const password = strongPassword();
    const created = await newDriver(api, dispatcher.token, { email, password });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), userId: expect.any(String), name: 'Noor Haddad', email, vehicle: { type: 'cargo_bike', capacityKg: 90 }, onDuty: false,
    });
    const session = await login(api.url, email, password);
    expect(session.user).toMatchObject({ role: 'driver', driverId: created.body.id });
    expect((await roster(api, dispatcher)).find((d) => d.id === created.body.id)).toMatchObject({
      name: 'Noor Haddad', onDuty: false, position: null, vehicle: { type: 'cargo_bike', capacityKg: 90 }, load: { activeDeliveries: 0, weightKg: 0 },
    });
  });

  it('lets an admin create drivers too', async ({ api, admin }) => {
    expect((await newDriver(api, admin.token)).status).toBe(201);
  });

  it('refuses a taken e-mail without leaving a half-made account behind', async ({ api, dispatcher }) => {
    const customer = await registerAndLogin(api.url);
    expectProblem(await newDriver(api, dispatcher.token, { email: customer.email }), 409, 'EMAIL_TAKEN');
    const [{ n }] = await sql('SELECT count(*)::int AS n FROM users WHERE email = $1', [customer.email]);
    expect(n).toBe(1);
    const [{ d }] = await sql('SELECT count(*)::int AS d FROM drivers d JOIN users u ON u.id = d.user_id WHERE u.email = $1', [customer.email]);
    expect(d).toBe(0);
  });

  it('refuses a common password and an unknown vehicle', async ({ api, dispatcher }) => {
    expectProblem(await newDriver(api, dispatcher.token, { password: 'password1234' }), 400, 'VALIDATION_FAILED');
    const res = await newDriver(api, dispatcher.token, { vehicle: { type: 'hovercraft', capacityKg: 10 } });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].path).toBe('body.vehicle.type');
  });

  it('goes on and off duty', async ({ api, dispatcher }) => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const on = await call(api.url, 'PUT', '/api/v1/drivers/me/duty', { token: driver.token, body: { onDuty: true } });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ driverId: driver.user.driverId, onDuty: true });
    expect((await roster(api, dispatcher)).find((d) => d.id === driver.user.driverId).onDuty).toBe(true);
    await call(api.url, 'PUT', '/api/v1/drivers/me/duty', { token: driver.token, body: { onDuty: false } });
    expect((await roster(api, dispatcher)).find((d) => d.id === driver.user.driverId).onDuty).toBe(false);
  });

  it('takes one ping or a batch; the roster shows the newest by time, not by order', async ({ api, dispatcher }) => {
    const email = uniqueEmail('pinger');
    const password = strongPassword();
    const created = await newDriver(api, dispatcher.token, { email, password });
    const driver = await login(api.url, email, password);
    expect(driver.user.driverId).toBe(created.body.id);
    const t = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const one = await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body: { lat: 10, lng: 20, heading: 90, speedKph: 30, recordedAt: t(30) } });
    expect(one.status).toBe(202);
    expect(one.body).toEqual({ accepted: 1 });
    const batch = await call(api.url, 'POST', '/api/v1/drivers/me/location', {
      token: driver.token,
      body: [{ lat: 10.2, lng: 20.2, recordedAt: t(5) }, { lat: 10.3, lng: 20.3, heading: 180, recordedAt: t(1) }, { lat: 10.1, lng: 20.1, recordedAt: t(20) }],
    });
    expect(batch.status).toBe(202);
    expect(batch.body).toEqual({ accepted: 3 });
    await expect
      .poll(async () => (await roster(api, dispatcher)).find((d) => d.id === driver.user.driverId).position, { timeout: 10_000 })
      .toMatchObject({ lat: 10.3, lng: 20.3, heading: 180 });
    const [{ n }] = await sql('SELECT count(*)::int AS n FROM driver_locations WHERE driver_id = $1', [driver.user.driverId]);
    expect(n).toBe(4);
  });

  it('bounds a batch at 500 pings and refuses an empty one', async ({ api, dispatcher }) => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const ping = { lat: 1, lng: 1, recordedAt: new Date().toISOString() };
    expect((await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body: Array(500).fill(ping) })).status).toBe(202);
    expectProblem(await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body: Array(501).fill(ping) }), 400);
    expectProblem(await call(api.url, 'POST', '/api/v1/drivers/me/location', { token: driver.token, body: [] }), 400);
  });

  it('shows each driver’s current load', async ({ api, dispatcher }) => {
    const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const customer = await registerAndLogin(api.url);
    await assignedDelivery(api.url, customer, dispatcher, driver);
    await assignedDelivery(api.url, customer, dispatcher, driver);
    const me = (await roster(api, dispatcher)).find((d) => d.id === driver.user.driverId);
    expect(me.load).toEqual({ activeDeliveries: 2, weightKg: 24 });
  });

  it('answers 403 for a driver role without a driver profile', async ({ api, dispatcher }) => {
    // A driver account whose profile was removed by hand.
    const email = uniqueEmail('orphan');
    const password = strongPassword();
    const created = await newDriver(api, dispatcher.token, { email, password });
    const session = await login(api.url, email, password);
    await sql('DELETE FROM driver_locations WHERE driver_id = $1', [created.body.id]);
    await sql('DELETE FROM drivers WHERE id = $1', [created.body.id]);
    expectProblem(await call(api.url, 'PUT', '/api/v1/drivers/me/duty', { token: session.token, body: { onDuty: true } }), 403, 'NO_DRIVER_PROFILE');
  });
});
