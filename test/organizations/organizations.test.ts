/**
 * Business accounts: an organisation's deliveries, webhooks and notifications are seen by every member
 * and by nobody else, over HTTP and on sockets; personal accounts work as before.
 */
import { afterAll, describe, expect } from 'vitest';
import { connectLive, type LiveClient } from '../../web/src/lib/live-client.js';
import { expectProblem, registerAndLogin } from '../api/support.js';
import { apiTest } from '../support/fixtures.js';
import { call, deliveryBody, isolatedArea, login, waitFor } from '../support/harness.js';
import { callIn, join, organizationWith, type Organization, type Person } from './support.js';

// Organisation A with two members, B with its owner alone, and someone in neither.
const it = apiTest().extend<{ a: Organization; b: Organization; outsider: Person }>({
  a: [async ({ api }, use) => use(await organizationWith(api.url, 2)), { scope: 'file' }],
  b: [async ({ api }, use) => use(await organizationWith(api.url, 0, 'Pharmacy')), { scope: 'file' }],
  outsider: [async ({ api }, use) => use(await registerAndLogin(api.url, 'Otto Outsider')), { scope: 'file' }],
});

describe('organisations', () => {
  const clients: LiveClient[] = [];
  afterAll(() => {
    for (const c of clients) c.close();
  });

  it('makes its creator the owner and lists it, with the role, for each member', async ({ api, a, outsider }) => {
    const mine = await call(api.url, 'GET', '/api/v1/organizations', { token: a.owner.token });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: a.id, name: 'Corner Bakery', role: 'owner' })]);
    const theirs = await call(api.url, 'GET', '/api/v1/organizations', { token: a.members[0]!.token });
    expect(theirs.body.items).toEqual([expect.objectContaining({ id: a.id, role: 'member' })]);
    const members = await call(api.url, 'GET', `/api/v1/organizations/${a.id}/members`, { token: a.members[1]!.token });
    expect(members.body.items.map((m: any) => [m.email, m.role]).sort()).toEqual(
      [[a.owner.email, 'owner'], [a.members[0]!.email, 'member'], [a.members[1]!.email, 'member']].sort(),
    );
    expectProblem(await call(api.url, 'GET', `/api/v1/organizations/${a.id}/members`, { token: outsider.token }), 404);
  });

  it('lets only the invited address accept an invite, once', async ({ api, a, outsider }) => {
    const invitee = await registerAndLogin(api.url, 'Ivy Invitee');
    const invite = await call(api.url, 'POST', `/api/v1/organizations/${a.id}/invites`, { token: a.owner.token, body: { email: invitee.email } });
    expect(invite.body).toMatchObject({ email: invitee.email, role: 'member', token: expect.stringMatching(/^inv_/) });
    // A forwarded link does not let someone else in.
    expectProblem(await call(api.url, 'POST', '/api/v1/organizations/join', { token: outsider.token, body: { token: invite.body.token } }), 404);
    expect((await call(api.url, 'POST', '/api/v1/organizations/join', { token: invitee.token, body: { token: invite.body.token } })).status).toBe(200);
    expectProblem(await call(api.url, 'POST', '/api/v1/organizations/join', { token: invitee.token, body: { token: invite.body.token } }), 404);
    // Members cannot invite; the list of invites keeps no token.
    expectProblem(await call(api.url, 'POST', `/api/v1/organizations/${a.id}/invites`, { token: a.members[0]!.token, body: { email: 'x@example.com' } }), 403, 'OWNER_REQUIRED');
    const listed = await call(api.url, 'GET', `/api/v1/organizations/${a.id}/invites`, { token: a.owner.token });
    expect(JSON.stringify(listed.body)).not.toContain(invite.body.token);
  });

  it('shows a delivery booked in the organisation to every member, live, and to nobody else', async ({ api, a, b, outsider }) => {
    const [booker, colleague] = a.members as [Person, Person];
    const updates: any[] = [];
    const client = connectLive({
      url: api.url,
      auth: { token: colleague.token, organizationId: a.id },
      fetchDelivery: async (id) => (await callIn(api.url, a.id, 'GET', `/api/v1/deliveries/${id}`, { token: colleague.token })).body,
      onDelivery: (d) => updates.push(d),
      transports: ['websocket'],
    });
    clients.push(client);
    await waitFor('member socket connected', async () => client.connected);

    const created = await callIn(api.url, a.id, 'POST', '/api/v1/deliveries', { token: booker.token, body: deliveryBody(isolatedArea()) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.organizationId).toBe(a.id);
    const id = created.body.id;

    // The colleague's socket hears of it without subscribing: the organisation's room carries it.
    await waitFor('organisation update on the colleague’s socket', async () => updates.some((d) => d.id === id));
    await waitFor('read model row', async () => (await callIn(api.url, a.id, 'GET', `/api/v1/deliveries/${id}`, { token: colleague.token })).status === 200);
    const listed = await callIn(api.url, a.id, 'GET', '/api/v1/deliveries', { token: a.owner.token });
    expect(listed.body.items.map((d: any) => d.id)).toContain(id);

    // Outside it: another organisation, an outsider, and the booker's own personal account.
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: outsider.token }), 404);
    expectProblem(await callIn(api.url, b.id, 'GET', `/api/v1/deliveries/${id}`, { token: b.owner.token }), 404);
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: booker.token }), 404);
    expectProblem(await callIn(api.url, a.id, 'GET', `/api/v1/deliveries/${id}`, { token: outsider.token }), 404);
    expectProblem(await callIn(api.url, a.id, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: b.owner.token, body: { reason: 'not mine' } }), 404);
    expect((await callIn(api.url, b.id, 'GET', '/api/v1/deliveries', { token: b.owner.token })).body.items.map((d: any) => d.id)).not.toContain(id);

    // A colleague may act on it as its booker could.
    const cancelled = await callIn(api.url, a.id, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: colleague.token, body: { reason: 'wrong address' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
  });

  it('refuses a socket in an organisation the user is not in, and a subscription to its deliveries', async ({ api, a, outsider }) => {
    const refused = await new Promise<string>((resolve) => {
      const client = connectLive({
        url: api.url,
        auth: { token: outsider.token, organizationId: a.id },
        fetchDelivery: async () => { throw new Error('no'); },
        onDelivery: () => {},
        onRefused: (reason) => resolve(reason),
        transports: ['websocket'],
      });
      clients.push(client);
    });
    expect(refused).toMatch(/unauthorized|ORGANIZATION_NOT_FOUND/i);
    const created = await callIn(api.url, a.id, 'POST', '/api/v1/deliveries', { token: a.owner.token, body: deliveryBody(isolatedArea()) });
    const personal = connectLive({
      url: api.url, auth: { token: outsider.token }, transports: ['websocket'],
      fetchDelivery: async (id) => (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: outsider.token })).body,
      onDelivery: () => {},
    });
    clients.push(personal);
    await waitFor('outsider socket connected', async () => personal.connected);
    expect(await personal.subscribe(created.body.id)).toBeNull();
    await callIn(api.url, a.id, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: a.owner.token, body: { reason: 'test over' } });
  });

  it('keeps webhooks and notifications with the organisation', async ({ api, a, b }) => {
    const hook = await callIn(api.url, a.id, 'POST', '/api/v1/webhooks', { token: a.owner.token, body: { url: 'http://127.0.0.1:9/hook', events: ['*'] } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const seenByMember = await callIn(api.url, a.id, 'GET', '/api/v1/webhooks', { token: a.members[0]!.token });
    expect(seenByMember.body.items.map((w: any) => w.id)).toContain(hook.body.id);
    expect((await call(api.url, 'GET', '/api/v1/webhooks', { token: a.owner.token })).body.items).toEqual([]);
    expect((await callIn(api.url, b.id, 'GET', '/api/v1/webhooks', { token: b.owner.token })).body.items).toEqual([]);
    expectProblem(await callIn(api.url, b.id, 'DELETE', `/api/v1/webhooks/${hook.body.id}`, { token: b.owner.token }), 404);
    expectProblem(await call(api.url, 'DELETE', `/api/v1/webhooks/${hook.body.id}`, { token: a.owner.token }), 404);

    const notes = await callIn(api.url, a.id, 'GET', '/api/v1/notifications', { token: a.members[1]!.token });
    expect(notes.status).toBe(200);
    expect(notes.body.items.length).toBeGreaterThan(0);
    const foreign = await callIn(api.url, b.id, 'GET', '/api/v1/notifications', { token: b.owner.token });
    expect(foreign.body.items).toEqual([]);
    expect((await callIn(api.url, a.id, 'DELETE', `/api/v1/webhooks/${hook.body.id}`, { token: a.members[0]!.token })).status).toBe(204);
  });

  it('keeps an Idempotency-Key to the organisation it was used in', async ({ api, a }) => {
    const second = await call(api.url, 'POST', '/api/v1/organizations', { token: a.owner.token, body: { name: 'Second Shop' } });
    const body = deliveryBody(isolatedArea());
    const headers = { 'idempotency-key': 'same-order-4711' };
    const inA = await callIn(api.url, a.id, 'POST', '/api/v1/deliveries', { token: a.owner.token, body, headers });
    const inSecond = await callIn(api.url, second.body.id, 'POST', '/api/v1/deliveries', { token: a.owner.token, body, headers });
    const personal = await call(api.url, 'POST', '/api/v1/deliveries', { token: a.owner.token, body, headers });
    expect([inA.status, inSecond.status, personal.status]).toEqual([201, 201, 201]);
    expect([inA.body.organizationId, inSecond.body.organizationId, personal.body.organizationId]).toEqual([a.id, second.body.id, null]);
    expect(new Set([inA.body.id, inSecond.body.id, personal.body.id]).size).toBe(3);
    const again = await callIn(api.url, a.id, 'POST', '/api/v1/deliveries', { token: a.owner.token, body, headers });
    expect(again.body.id).toBe(inA.body.id);
    for (const [org, id] of [[a.id, inA.body.id], [second.body.id, inSecond.body.id]] as const) {
      await callIn(api.url, org, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: a.owner.token, body: { reason: 'test over' } });
    }
    await call(api.url, 'POST', `/api/v1/deliveries/${personal.body.id}/cancel`, { token: a.owner.token, body: { reason: 'test over' } });
  });

  it('keeps personal accounts as they were', async ({ api, outsider }) => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: outsider.token, body: deliveryBody(isolatedArea()) });
    expect(created.status).toBe(201);
    expect(created.body.organizationId).toBeNull();
    await waitFor('personal delivery listed', async () => (await call(api.url, 'GET', '/api/v1/deliveries', { token: outsider.token })).body.items.some((d: any) => d.id === created.body.id));
    const [dispatcher] = await Promise.all([login(api.url, 'dispatcher@example.com')]);
    expect((await call(api.url, 'GET', `/api/v1/deliveries/${created.body.id}`, { token: dispatcher.token })).status).toBe(200);
    await call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: outsider.token, body: { reason: 'test over' } });
  });

  it('shuts a removed member out at once, and keeps the last owner', async ({ api, a, b }) => {
    const leaving = await registerAndLogin(api.url, 'Lee Leaving');
    await join(api.url, a.id, a.owner, leaving);
    expect((await callIn(api.url, a.id, 'GET', '/api/v1/deliveries', { token: leaving.token })).status).toBe(200);
    expectProblem(await call(api.url, 'DELETE', `/api/v1/organizations/${a.id}/members/${a.owner.user.id}`, { token: a.members[0]!.token }), 403, 'OWNER_REQUIRED');
    expect((await call(api.url, 'DELETE', `/api/v1/organizations/${a.id}/members/${leaving.user.id}`, { token: a.owner.token })).status).toBe(204);
    expectProblem(await callIn(api.url, a.id, 'GET', '/api/v1/deliveries', { token: leaving.token }), 404);
    expectProblem(await call(api.url, 'DELETE', `/api/v1/organizations/${a.id}/members/${a.owner.user.id}`, { token: a.owner.token }), 409, 'LAST_OWNER');
    // Two owners: one may go.
    const second = await registerAndLogin(api.url, 'Sam Second');
    await join(api.url, b.id, b.owner, second, 'owner');
    expect((await call(api.url, 'DELETE', `/api/v1/organizations/${b.id}/members/${second.user.id}`, { token: b.owner.token })).status).toBe(204);
  });
});
