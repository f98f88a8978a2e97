/**
 * The authorization matrix by organisation: for each route that reads or changes an organisation's
 * things, its own member (or key) gets through and a member of another organisation, acting in theirs or
 * claiming this one, gets 404 (or 401 for a key where keys never go). A missing check shows as a 2xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deliveryBody, isolatedArea, startTestApi, waitFor, type Reply, type TestApi } from '../support/harness.js';
import { callIn, organizationWith, type Organization } from './support.js';

type Who = 'member of A' | 'member of B in B' | 'member of B claiming A' | 'key of B' | 'key of B claiming A';

describe('authorization matrix by organisation', () => {
  let api: TestApi;
  let a: Organization;
  let b: Organization;
  let keyB: string;
  const things = {} as { delivery: string; webhook: string; importId: string; keyA: string; inviteA: string };

  beforeAll(async () => {
    api = await startTestApi();
    [a, b] = await Promise.all([organizationWith(api.url, 1, 'A'), organizationWith(api.url, 1, 'B')]);
    keyB = (await call(api.url, 'POST', `/api/v1/organizations/${b.id}/api-keys`, {
      token: b.owner.token, body: { name: 'b', scopes: ['deliveries:write', 'deliveries:read', 'webhooks:manage'] },
    })).body.key;
    const delivery = await callIn(api.url, a.id, 'POST', '/api/v1/deliveries', { token: a.owner.token, body: deliveryBody(isolatedArea()) });
    things.delivery = delivery.body.id;
    await waitFor('A’s delivery recorded', async () => (await callIn(api.url, a.id, 'GET', `/api/v1/deliveries/${things.delivery}`, { token: a.owner.token })).status === 200);
    things.webhook = (await callIn(api.url, a.id, 'POST', '/api/v1/webhooks', { token: a.owner.token, body: { url: 'http://127.0.0.1:9/a', events: ['*'] } })).body.id;
    things.importId = (await callIn(api.url, a.id, 'POST', '/api/v1/deliveries/import', {
      token: a.owner.token, body: 'reference,pickup_address,pickup_lat,pickup_lng,dropoff_address,dropoff_lat,dropoff_lng,weight_kg\nA-1,x,1,1,y,1,1,-1\n', headers: { 'content-type': 'text/csv' },
    })).body.id;
    things.keyA = (await call(api.url, 'POST', `/api/v1/organizations/${a.id}/api-keys`, { token: a.owner.token, body: { name: 'a', scopes: ['deliveries:read'] } })).body.id;
    things.inviteA = (await call(api.url, 'POST', `/api/v1/organizations/${a.id}/invites`, { token: a.owner.token, body: { email: 'someone@example.com' } })).body.id;
  });
  afterAll(async () => {
    await callIn(api.url, a.id, 'POST', `/api/v1/deliveries/${things.delivery}/cancel`, { token: a.owner.token, body: { reason: 'matrix over' } });
    await api?.close();
  });

  const as = (who: Who, method: string, path: string, body?: unknown): Promise<Reply> => {
    const headers = body !== undefined && typeof body === 'string' ? { 'content-type': 'text/csv' } : undefined;
    switch (who) {
      case 'member of A': return callIn(api.url, a.id, method, path, { token: a.members[0]!.token, body, headers });
      case 'member of B in B': return callIn(api.url, b.id, method, path, { token: b.members[0]!.token, body, headers });
      case 'member of B claiming A': return callIn(api.url, a.id, method, path, { token: b.members[0]!.token, body, headers });
      case 'key of B': return call(api.url, method, path, { token: keyB, body, headers });
      case 'key of B claiming A': return callIn(api.url, a.id, method, path, { token: keyB, body, headers });
    }
  };

  // What B may get is never A's thing: 404 (not found in their scope), or 401/403 where keys or members never go.
  const routes: Array<{ route: string; run: (who: Who) => Promise<Reply>; member: number; outsiders: Partial<Record<Who, number>> }> = [
    { route: 'GET delivery', run: (w) => as(w, 'GET', `/api/v1/deliveries/${things.delivery}`), member: 200, outsiders: {} },
    { route: 'POST delivery accept-quote', run: (w) => as(w, 'POST', `/api/v1/deliveries/${things.delivery}/accept-quote`, {}), member: 200, outsiders: {} },
    { route: 'GET webhook deliveries', run: (w) => as(w, 'GET', `/api/v1/webhooks/${things.webhook}/deliveries`), member: 200, outsiders: {} },
    { route: 'GET import', run: (w) => as(w, 'GET', `/api/v1/imports/${things.importId}`), member: 200, outsiders: {} },
    { route: 'GET members', run: (w) => as(w, 'GET', `/api/v1/organizations/${a.id}/members`), member: 200, outsiders: { 'key of B': 401, 'key of B claiming A': 401 } },
    { route: 'GET keys', run: (w) => as(w, 'GET', `/api/v1/organizations/${a.id}/api-keys`), member: 403, outsiders: { 'key of B': 401, 'key of B claiming A': 401 } },
    { route: 'DELETE key', run: (w) => as(w, 'DELETE', `/api/v1/organizations/${a.id}/api-keys/${things.keyA}`), member: 403, outsiders: { 'key of B': 401, 'key of B claiming A': 401 } },
    { route: 'DELETE invite', run: (w) => as(w, 'DELETE', `/api/v1/organizations/${a.id}/invites/${things.inviteA}`), member: 403, outsiders: { 'key of B': 401, 'key of B claiming A': 401 } },
    { route: 'DELETE webhook', run: (w) => as(w, 'DELETE', `/api/v1/webhooks/${things.webhook}`), member: 204, outsiders: {} },
  ];
  const OUTSIDERS: Who[] = ['member of B in B', 'member of B claiming A', 'key of B', 'key of B claiming A'];

  it('lets A’s member through and keeps every member and key of B out', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      // Outsiders first: the member's own call may change state (accept, delete) the others must not have done.
      for (const who of OUTSIDERS) {
        const res = await r.run(who);
        const expected = r.outsiders[who] ?? 404;
        if (res.status !== expected) wrong.push(`${r.route} as ${who}: ${res.status} (expected ${expected}) ${JSON.stringify(res.body).slice(0, 120)}`);
      }
      const own = await r.run('member of A');
      if (own.status !== r.member) wrong.push(`${r.route} as member of A: ${own.status} (expected ${r.member}) ${JSON.stringify(own.body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    // Lists in B's scope never show A's things.
    for (const who of ['member of B in B', 'key of B'] as const) {
      expect(JSON.stringify((await as(who, 'GET', '/api/v1/deliveries')).body)).not.toContain(things.delivery);
    }
    expect(JSON.stringify((await as('member of B in B', 'GET', '/api/v1/notifications')).body)).not.toContain(things.delivery);
  });
});
