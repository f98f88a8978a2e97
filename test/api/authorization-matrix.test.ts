/**
 * Every route × every role × own / foreign / missing object, with the status each must get. Each case
 * that could change state runs on a fresh delivery in the state where the action would succeed, so a
 * missing check shows up as a 2xx where a 4xx is expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForOffer } from '../support/flow.js';
import { call, createDriverAt, DEMO_PASSWORD, deliveryBody, isolatedArea, login, startTestApi, type Reply, type Session, type TestApi } from '../support/harness.js';
import { assignedDelivery, registerAndLogin, strongPassword, uniqueEmail } from './support.js';

/** Who acts: `own` acts on their own object, `foreign` on someone else's, `missing` on one that does not exist. */
type Actor =
  | 'anonymous'
  | 'customer/own' | 'customer/foreign' | 'customer/missing'
  | 'driver/own' | 'driver/offered' | 'driver/foreign' | 'driver/missing'
  | 'dispatcher' | 'dispatcher/missing'
  | 'admin' | 'admin/missing';

interface RouteSpec {
  route: string;
  expect: Partial<Record<Actor, number>>;
  run(actor: Actor): Promise<Reply>;
}

const MISSING = '00000000-0000-4000-8000-00000000abcd';

describe('authorization matrix', () => {
  let api: TestApi;
  const s = {} as Record<'customerA' | 'customerB' | 'driverA' | 'driverB' | 'driverO' | 'dispatcher' | 'admin', Session>;
  let customerA: Awaited<ReturnType<typeof registerAndLogin>>;
  let offerArea: { lat: number; lng: number };
  let shared: { assigned: string; trackingCode: string; proofId: string };

  beforeAll(async () => {
    api = await startTestApi();
    [s.dispatcher, s.admin, customerA, s.customerB] = await Promise.all([
      login(api.url, 'dispatcher@example.com'), login(api.url, 'admin@example.com'), registerAndLogin(api.url), registerAndLogin(api.url),
    ]);
    s.customerA = customerA;
    offerArea = isolatedArea();
    [s.driverA, s.driverB, s.driverO] = await Promise.all([
      createDriverAt(api.url, s.dispatcher, isolatedArea(), { onDuty: false }),
      createDriverAt(api.url, s.dispatcher, isolatedArea(), { onDuty: false }),
      createDriverAt(api.url, s.dispatcher, offerArea),
    ]);
    // One delivery of customer A carried by driver A, picked up with a signature: for the read-only routes.
    const assigned = await assignedDelivery(api.url, s.customerA, s.dispatcher, s.driverA);
    const signature = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]).toString('base64')}`;
    await call(api.url, 'POST', `/api/v1/deliveries/${assigned}/milestones`, { token: s.driverA.token, body: { type: 'arrived_pickup' } });
    const picked = await call(api.url, 'POST', `/api/v1/deliveries/${assigned}/milestones`, { token: s.driverA.token, body: { type: 'picked_up', proof: { signature } } });
    expect(picked.status, JSON.stringify(picked.body)).toBe(200);
    const timeline = (await call(api.url, 'GET', `/api/v1/deliveries/${assigned}`, { token: s.dispatcher.token })).body;
    shared = { assigned, trackingCode: timeline.trackingCode, proofId: timeline.timeline.find((e: any) => e.type === 'picked_up').data.proof.signatureId };
  });

  afterAll(async () => {
    // Leave no delivery searching for drivers after this file.
    for (const owner of [s.customerA, s.customerB]) {
      const list = await call(api.url, 'GET', `/api/v1/deliveries?customerId=${owner?.user.id}&status=QUOTED,DISPATCHING,ASSIGNED&limit=200`, { token: s.dispatcher?.token });
      for (const d of list.body?.items ?? []) {
        await call(api.url, 'POST', `/api/v1/deliveries/${d.id}/cancel`, { token: s.dispatcher.token, body: { reason: 'test over' } });
      }
    }
    await api?.close();
  });

  const tokenOf = (actor: Actor): string | undefined => {
    const [role, whose] = actor.split('/') as [string, string | undefined];
    if (role === 'anonymous') return undefined;
    if (role === 'customer') return (whose === 'foreign' ? s.customerB : s.customerA).token;
    if (role === 'driver') return (whose === 'foreign' ? s.driverB : whose === 'offered' ? s.driverO : s.driverA).token;
    return (role === 'admin' ? s.admin : s.dispatcher).token;
  };
  const missing = (actor: Actor) => actor.endsWith('/missing');
  const as = (actor: Actor, method: string, path: string, body?: unknown) => call(api.url, method, `/api/v1${path}`, { token: tokenOf(actor), body });

  // Fresh deliveries of customer A in the state each action needs.
  const quoted = async () => (await call(api.url, 'POST', '/api/v1/deliveries', { token: s.customerA.token, body: deliveryBody(isolatedArea()) })).body.id as string;
  const dispatching = async () =>
    (await call(api.url, 'POST', '/api/v1/deliveries', { token: s.customerA.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) })).body.id as string;
  const assignedToA = () => assignedDelivery(api.url, s.customerA, s.dispatcher, s.driverA);
  const offeredToO = async () => {
    const id = (await call(api.url, 'POST', '/api/v1/deliveries', { token: s.customerA.token, body: deliveryBody(offerArea, { autoAccept: true }) })).body.id as string;
    await waitForOffer(api.url, s.dispatcher.token, id, s.driverO);
    return id;
  };

  const ALL_SIGNED: Actor[] = ['customer/own', 'driver/own', 'dispatcher', 'admin'];
  const same = (actors: Actor[], status: number) => Object.fromEntries(actors.map((a) => [a, status])) as Partial<Record<Actor, number>>;

  const specs: RouteSpec[] = [
    {
      route: 'POST /deliveries',
      expect: { anonymous: 401, 'customer/own': 201, 'driver/own': 403, dispatcher: 201, admin: 201 },
      run: (a) => as(a, 'POST', '/deliveries', deliveryBody(isolatedArea())),
    },
    {
      route: 'GET /deliveries/:id',
      expect: {
        anonymous: 401, 'customer/own': 200, 'customer/foreign': 404, 'customer/missing': 404,
        'driver/own': 200, 'driver/foreign': 404, 'driver/missing': 404, 'driver/offered': 200,
        dispatcher: 200, 'dispatcher/missing': 404, admin: 200, 'admin/missing': 404,
      },
      run: async (a) => as(a, 'GET', `/deliveries/${missing(a) ? MISSING : a === 'driver/offered' ? await offeredToO() : shared.assigned}`),
    },
    {
      route: 'GET /deliveries/:id/proofs/:proofId',
      expect: {
        anonymous: 401, 'customer/own': 200, 'customer/foreign': 404, 'customer/missing': 404,
        'driver/own': 200, 'driver/foreign': 404, dispatcher: 200, admin: 200,
      },
      run: (a) => as(a, 'GET', `/deliveries/${missing(a) ? MISSING : shared.assigned}/proofs/${shared.proofId}`),
    },
    {
      route: 'POST /deliveries/:id/accept-quote',
      expect: {
        anonymous: 401, 'customer/own': 200, 'customer/foreign': 404, 'customer/missing': 404,
        'driver/own': 403, dispatcher: 200, 'dispatcher/missing': 404, admin: 200,
      },
      run: async (a) => as(a, 'POST', `/deliveries/${missing(a) ? MISSING : await quoted()}/accept-quote`),
    },
    {
      route: 'POST /deliveries/:id/cancel',
      expect: {
        anonymous: 401, 'customer/own': 200, 'customer/foreign': 404, 'customer/missing': 404,
        'driver/own': 403, dispatcher: 200, 'dispatcher/missing': 404, admin: 200,
      },
      run: async (a) => as(a, 'POST', `/deliveries/${missing(a) ? MISSING : a === 'driver/own' ? await assignedToA() : await quoted()}/cancel`, { reason: 'changed my mind' }),
    },
    {
      route: 'POST /deliveries/:id/assign',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 403, dispatcher: 200, 'dispatcher/missing': 404, admin: 200 },
      run: async (a) => as(a, 'POST', `/deliveries/${missing(a) ? MISSING : await dispatching()}/assign`, { driverId: s.driverA.user.driverId }),
    },
    {
      route: 'POST /deliveries/:id/milestones {arrived_pickup}',
      expect: {
        anonymous: 401, 'customer/own': 403, 'driver/own': 200, 'driver/foreign': 404, 'driver/missing': 404, dispatcher: 403, admin: 403,
      },
      run: async (a) => as(a, 'POST', `/deliveries/${missing(a) ? MISSING : await assignedToA()}/milestones`, { type: 'arrived_pickup' }),
    },
    {
      route: 'POST /deliveries/:id/milestones {accept_offer}',
      expect: { 'driver/offered': 200, 'driver/foreign': 404, 'customer/own': 403, dispatcher: 403 },
      run: async (a) => as(a, 'POST', `/deliveries/${await offeredToO()}/milestones`, { type: 'accept_offer' }),
    },
    {
      route: 'GET /track/:trackingCode',
      expect: { anonymous: 200, ...same(ALL_SIGNED, 200), 'customer/foreign': 200 },
      run: (a) => as(a, 'GET', `/track/${shared.trackingCode}`),
    },
    {
      route: 'GET /drivers',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 403, dispatcher: 200, admin: 200 },
      run: (a) => as(a, 'GET', '/drivers'),
    },
    {
      route: 'POST /drivers',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 403, dispatcher: 201, admin: 201 },
      run: (a) => as(a, 'POST', '/drivers', { name: 'Matrix Driver', email: uniqueEmail('matrix'), password: strongPassword(), vehicle: { type: 'car', capacityKg: 100 } }),
    },
    {
      route: 'PUT /drivers/me/duty',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 200, dispatcher: 403, admin: 403 },
      run: (a) => as(a, 'PUT', '/drivers/me/duty', { onDuty: false }),
    },
    {
      route: 'POST /drivers/me/location',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 202, dispatcher: 403, admin: 403 },
      run: (a) => as(a, 'POST', '/drivers/me/location', { lat: 1, lng: 2, recordedAt: new Date().toISOString() }),
    },
    {
      route: 'POST /users/:id/disable',
      expect: { anonymous: 401, 'customer/own': 403, 'driver/own': 403, dispatcher: 403, admin: 200, 'admin/missing': 404 },
      run: async (a) => as(a, 'POST', `/users/${missing(a) ? MISSING : (await registerAndLogin(api.url)).user.id}/disable`),
    },
    {
      route: 'GET /auth/me',
      expect: { anonymous: 401, ...same(ALL_SIGNED, 200) },
      run: (a) => as(a, 'GET', '/auth/me'),
    },
    {
      route: 'POST /auth/logout',
      expect: { anonymous: 401, ...same(ALL_SIGNED, 204) },
      // A second session of the same kind of account, so logging it out leaves the shared one alive.
      run: async (a) => {
        if (a === 'anonymous') return as(a, 'POST', '/auth/logout', { refreshToken: `rt_${'x'.repeat(43)}` });
        const account = { 'customer/own': [customerA.email, customerA.password], 'driver/own': ['driver1@example.com', DEMO_PASSWORD()] }[a as string]
          ?? [a === 'admin' ? 'admin@example.com' : 'dispatcher@example.com', DEMO_PASSWORD()];
        const second = await login(api.url, account[0]!, account[1]!);
        expect(second.user.role).toBe(a.split('/')[0]);
        return call(api.url, 'POST', '/api/v1/auth/logout', { token: second.token, body: { refreshToken: second.refreshToken } });
      },
    },
  ];

  for (const spec of specs) {
    describe(spec.route, () => {
      for (const [actor, status] of Object.entries(spec.expect) as Array<[Actor, number]>) {
        it(`${actor} → ${status}`, async () => {
          const res = await spec.run(actor);
          expect(res.status, JSON.stringify(res.body)).toBe(status);
          if (status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        });
      }
    });
  }

  describe('GET /deliveries lists only what each role may see', () => {
    const listed = async (actor: Actor, id: string) =>
      ((await as(actor, 'GET', '/deliveries?limit=200')).body.items as Array<{ id: string }>).some((d) => d.id === id);

    it('anonymous → 401', async () => {
      expect((await as('anonymous', 'GET', '/deliveries')).status).toBe(401);
    });
    it.each([
      ['customer/own', true], ['customer/foreign', false], ['driver/own', true], ['driver/foreign', false], ['dispatcher', true], ['admin', true],
    ] as Array<[Actor, boolean]>)('%s sees the delivery: %s', async (actor, visible) => {
      expect(await listed(actor, shared.assigned)).toBe(visible);
    });
    it('a driver sees a delivery offered to them, and filters cannot widen a scope', async () => {
      const id = await offeredToO();
      expect(await listed('driver/offered', id)).toBe(true);
      expect(await listed('driver/own', id)).toBe(false);
      const widened = await as('customer/foreign', 'GET', `/deliveries?customerId=${s.customerA.user.id}`);
      expect(widened.status).toBe(200);
      expect(widened.body.items).toEqual([]);
    });
  });
});
