/**
 * Property-based fuzzing of every route's input against the running API and worker: random JSON, hostile
 * shapes, mutations of valid bodies (a field dropped, an unknown one added, a value replaced), and valid
 * bodies with one string replaced by control characters, lone surrogates, 10k characters, RTL marks or
 * emoji. Whatever arrives, the API answers with a 2xx or a problem document in the 4xx range, never a 5xx,
 * within the Update deadline; a refused character is never accepted; nothing refused is stored, and no
 * workflow is left with a failing activity.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeTextProblem } from '../../domain/text.js';
import { findStuckDeliveries } from '../../scripts/lib/stuck.js';
import { temporalClient } from '../support/flow.js';
import { call, createDriverAt, isolatedArea, login, startTestApi, type Reply, type Session, type TestApi } from '../support/harness.js';
import { assignedDelivery, closeSql, ownRedisPrefix, registerAndLogin, sql } from './support.js';
import { hostileText, mutated, poisoned, validBodies } from './fuzz-arbitraries.js';

/** Every string in a JSON value, keys included (without recursion: hostile bodies nest 3,000 deep). */
function stringsIn(root: unknown): string[] {
  const found: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) stack.push(...value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stack.push(k, v);
  }
  return found;
}
const carriesRefusedText = (value: unknown) => stringsIn(value).some((s) => unsafeTextProblem(s) !== null);
/** The Update deadline (10 s) and some room: no answer may take longer. */
const ANSWER_WITHIN_MS = 12_000;
/** Reports a failure by its message: printing a counterexample 3,000 arrays deep overflows the stack. */
const runs = (numRuns: number) => ({
  numRuns,
  reporter: (out: { failed: boolean; errorInstance?: unknown; numRuns: number }) => {
    if (out.failed) throw new Error(`failed after ${out.numRuns} runs: ${String((out.errorInstance as Error | undefined)?.message ?? out.errorInstance).slice(0, 2000)}`);
  },
});

const MISSING = '00000000-0000-4000-8000-0000000f0220';

describe('fuzzing every route’s input', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;
  let admin: Session;
  let driver: Session;
  let leaving: Awaited<ReturnType<typeof registerAndLogin>>;
  let ids: { quoted: string; assigned: string };
  const seen = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    api = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('fuzz'), RATE_LIMIT_PER_MINUTE: '1000000' });
    [dispatcher, admin, customer, leaving] = await Promise.all([
      login(api.url, 'dispatcher@example.com'), login(api.url, 'admin@example.com'), registerAndLogin(api.url), registerAndLogin(api.url),
    ]);
    driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
    const quoted = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: validBodies.sampleDelivery() });
    ids = { quoted: quoted.body.id, assigned: await assignedDelivery(api.url, customer, dispatcher, driver) };
  });

  afterAll(async () => {
    // Valid bodies start real workflows: leave none of them searching for drivers.
    const open = await call(api.url, 'GET', `/api/v1/deliveries?customerId=${customer?.user.id}&status=QUOTED,DISPATCHING,ASSIGNED,AT_PICKUP,IN_TRANSIT,AT_DROPOFF&limit=200`, { token: dispatcher?.token });
    for (const d of open.body?.items ?? []) {
      await call(api.url, 'POST', `/api/v1/deliveries/${d.id}/cancel`, { token: dispatcher.token, body: { reason: 'fuzzing over' } });
    }
    await api?.close();
    await closeSql();
  });

  /** The answer must be a success or a client error shaped as a problem document. */
  function check(route: string, res: Reply, sent: unknown, tookMs = 0): void {
    const counts = seen.get(route) ?? new Map<number, number>();
    counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    seen.set(route, counts);
    const what = `${route} ← ${JSON.stringify(sent)?.slice(0, 300)} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`;
    expect(res.status, what).toBeLessThan(500);
    expect(tookMs, `${what} took ${tookMs} ms`).toBeLessThan(ANSWER_WITHIN_MS);
    // A refused character is never accepted (a login's password is only hashed, never stored).
    if (route !== 'login' && carriesRefusedText(sent)) expect(res.status, what).toBeGreaterThanOrEqual(400);
    if (res.status >= 400) {
      expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      expect(res.body?.code, what).toMatch(/^[A-Z_]+$/);
    }
  }

  /** Random JSON, hostile shapes, and mutations of valid bodies, in about equal parts. */
  const inputs = (valid: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { arbitrary: valid, weight: 2 },
      { arbitrary: mutated(valid), weight: 4 },
      { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
      { arbitrary: hostile, weight: 1 },
      { arbitrary: poisoned(valid), weight: 3 },
    );

  const hostile: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
    JSON.parse('{"__proto__":{"role":"admin"},"email":"a@example.com","password":"x"}'),
    { constructor: { prototype: { isAdmin: true } } },
    JSON.parse(`${'['.repeat(3000)}${']'.repeat(3000)}`),
    JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`),
    Array.from({ length: 2000 }, (_, i) => i),
    { lat: 1e308, lng: -1e308, recordedAt: '9999-12-31T23:59:59Z' },
    { email: 'a@example.com\u0000', password: '\u0000'.repeat(20), name: '\uD800' },
    { text: 'x'.repeat(100_000) },
    'RAW:not json at all {',
    'RAW:',
    'RAW:{"a":1}{"b":2}',
  );

  async function fuzz<T>(route: string, numRuns: number, arb: fc.Arbitrary<T>, send: (body: T, key?: string) => Promise<Reply>) {
    await fc.assert(
      fc.asyncProperty(arb, fc.option(fc.stringMatching(/^[A-Za-z0-9_.:-]{0,24}$/), { freq: 4 }), async (body, key) => {
        const started = Date.now();
        const res = await send(body, key ?? undefined);
        check(route, res, body, Date.now() - started);
      }),
      runs(numRuns),
    );
  }

  /** Sends a body as JSON, or as raw text when it is one of the `RAW:` hostile strings. */
  const send = (method: string, path: string, token?: string) => (body: unknown, key?: string) => {
    const raw = typeof body === 'string' && body.startsWith('RAW:');
    return call(api.url, method, `/api/v1${path}`, {
      token,
      body: raw ? (body as string).slice(4) : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    });
  };
  const anyDelivery = () => fc.constantFrom(MISSING, ids.quoted, ids.assigned);

  it('POST /auth/register', () => fuzz('register', 60, inputs(validBodies.register), send('POST', '/auth/register')));
  it('POST /auth/login', () => fuzz('login', 80, inputs(validBodies.login), send('POST', '/auth/login')));
  it('POST /auth/refresh', () => fuzz('refresh', 80, inputs(validBodies.refresh), send('POST', '/auth/refresh')));

  it('POST /auth/logout', async () => {
    let session = { token: leaving.token };
    await fuzz('logout', 50, inputs(validBodies.refresh), async (body, key) => {
      const res = await send('POST', '/auth/logout', session.token)(body, key);
      // A valid logout ends the session: the next input needs a live one to reach validation again.
      if (res.status === 204) session = await login(api.url, leaving.email, leaving.password);
      return res;
    });
  });

  it('POST /deliveries', () => fuzz('create delivery', 120, inputs(validBodies.delivery), send('POST', '/deliveries', customer.token)));

  it('GET /deliveries (query)', () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(validBodies.listQuery, hostileText.map((q) => ({ q }))), async (query) => {
        const qs = new URLSearchParams(query as Record<string, string>).toString();
        // What arrives: a URL carries a lone surrogate as U+FFFD.
        const sent = Object.fromEntries(new URLSearchParams(qs));
        const started = Date.now();
        check('list deliveries', await call(api.url, 'GET', `/api/v1/deliveries?${qs}`, { token: customer.token }), sent, Date.now() - started);
      }),
      runs(150),
    ));

  it('GET /deliveries/:id and GET /track/:code (path)', () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), fc.constantFrom(ids.quoted, '..', '%', '%00')), async (segment) => {
        const part = encodeURIComponent(segment);
        check('get delivery', await call(api.url, 'GET', `/api/v1/deliveries/${part}`, { token: customer.token }), segment);
        check('track', await call(api.url, 'GET', `/api/v1/track/${part}`), segment);
      }),
      runs(100),
    ));

  it('POST /deliveries/:id/accept-quote', () =>
    fuzz('accept quote', 60, fc.tuple(anyDelivery(), fc.oneof(fc.constant({}), inputs(fc.constant({})))), ([id, body], key) =>
      send('POST', `/deliveries/${id}/accept-quote`, customer.token)(body, key)));

  it('POST /deliveries/:id/cancel', () =>
    fuzz('cancel', 60, fc.tuple(fc.constantFrom(MISSING, MISSING, ids.assigned), inputs(validBodies.cancel)), ([id, body], key) =>
      send('POST', `/deliveries/${id}/cancel`, customer.token)(body, key)));

  it('POST /deliveries/:id/assign', () =>
    fuzz('assign', 150, fc.tuple(anyDelivery(), inputs(validBodies.assign(() => driver.user.driverId!))), ([id, body], key) =>
      send('POST', `/deliveries/${id}/assign`, dispatcher.token)(body, key)));

  it('POST /deliveries/:id/milestones', () =>
    fuzz('milestones', 150, fc.tuple(fc.constantFrom(MISSING, ids.assigned), inputs(validBodies.milestone)), ([id, body], key) =>
      send('POST', `/deliveries/${id}/milestones`, driver.token)(body, key)));

  it('POST /drivers', () => fuzz('create driver', 60, inputs(validBodies.driver), send('POST', '/drivers', dispatcher.token)));
  it('PUT /drivers/me/duty', () => fuzz('duty', 80, inputs(validBodies.duty), send('PUT', '/drivers/me/duty', driver.token)));
  it('POST /drivers/me/location', () => fuzz('location', 120, inputs(validBodies.location), send('POST', '/drivers/me/location', driver.token)));

  it('POST /users/:id/disable', () =>
    fuzz('disable user', 60, fc.tuple(fc.oneof(fc.uuid(), fc.string({ maxLength: 20 }).map(encodeURIComponent)), inputs(fc.constant({}))), ([id, body], key) =>
      send('POST', `/users/${id}/disable`, admin.token)(body, key)));

  it('reached the handlers, not only the validators', () => {
    const reached = (route: string, statuses: number[]) => statuses.some((s) => (seen.get(route)?.get(s) ?? 0) > 0);
    expect(reached('register', [201, 409]), 'register').toBe(true);
    expect(reached('login', [200, 401, 429]), 'login').toBe(true);
    expect(reached('refresh', [401]), 'refresh').toBe(true);
    expect(reached('logout', [204]), 'logout').toBe(true);
    expect(reached('create delivery', [201]), 'create delivery').toBe(true);
    expect(reached('list deliveries', [200]), 'list').toBe(true);
    expect(reached('accept quote', [200, 404, 409]), 'accept quote').toBe(true);
    expect(reached('cancel', [404, 409, 200]), 'cancel').toBe(true);
    expect(reached('assign', [200, 404, 409, 422]), 'assign').toBe(true);
    expect(reached('milestones', [200, 404, 409]), 'milestones').toBe(true);
    expect(reached('create driver', [201, 409]), 'create driver').toBe(true);
    expect(reached('duty', [200]), 'duty').toBe(true);
    expect(reached('location', [202]), 'location').toBe(true);
    expect(reached('disable user', [404]), 'disable').toBe(true);
    const total = [...seen.values()].reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
    expect(total).toBeGreaterThanOrEqual(1300);
  });

  it('stored no refused character anywhere, and left no workflow with a failing activity', async () => {
    const rows = await sql(
      `SELECT d.id, d.pickup, d.dropoff, d.parcel, d.notes, d.cancellation, d.proof, json_agg(e.data) AS events
         FROM deliveries d JOIN delivery_events e ON e.delivery_id = d.id WHERE d.customer_id = $1 GROUP BY d.id`,
      [customer.user.id],
    );
    expect(rows.length).toBeGreaterThan(0);
    const people = await sql(`SELECT name FROM users WHERE email LIKE 'fuzz-%' UNION ALL SELECT name FROM drivers`);
    for (const stored of [...rows, ...people]) expect(stringsIn(stored).filter((s) => unsafeTextProblem(s) !== null), JSON.stringify(stored).slice(0, 300)).toEqual([]);
    const ours = new Set(rows.map((r) => r.id as string));
    const stuck = (await findStuckDeliveries(await temporalClient())).filter((s) => ours.has(s.deliveryId));
    expect(stuck).toEqual([]);
  });
});
