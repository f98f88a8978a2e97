/**
 * API keys: shown once and stored as a hash; accepted only where their scopes allow, only for their own
 * organisation; revoked on every API replica at once; never written to a log.
 */
import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, ownRedisPrefix, registerAndLogin, sql } from '../api/support.js';
import { call, deliveryBody, isolatedArea, startTestApi, waitFor, type TestApi } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { startChild, type ChildService } from '../support/processes.js';
import { callIn, organizationWith, type Organization, type Person } from './support.js';

describe('API keys', () => {
  let api: TestApi;
  /** A second API replica, its own process, logging at info. */
  let replica: ChildService;
  let replicaUrl: string;
  let a: Organization;
  let b: Organization;
  let outsider: Person;
  const keys: string[] = [];

  const createKey = async (org: Organization, scopes: string[], name = 'shop backend') => {
    const res = await call(api.url, 'POST', `/api/v1/organizations/${org.id}/api-keys`, { token: org.owner.token, body: { name, scopes } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    keys.push(res.body.key);
    return res.body as { id: string; key: string; hint: string };
  };

  beforeAll(async () => {
    const port = await freePort();
    [api, replica] = await Promise.all([
      startTestApi(),
      startChild('api/server.ts', { PORT: String(port), LOG_LEVEL: 'info' }, /"api listening"/),
    ]);
    replicaUrl = `http://127.0.0.1:${port}`;
    [a, b, outsider] = await Promise.all([organizationWith(api.url, 1, 'Online Shop'), organizationWith(api.url, 0, 'Other Shop'), registerAndLogin(api.url, 'Otto Outsider')]);
  });
  afterAll(async () => {
    await replica?.kill();
    await api?.close();
  });

  it('answers the key once, with its prefix, and stores only its hash', async () => {
    const created = await createKey(a, ['deliveries:write', 'deliveries:read']);
    expect(created.key).toMatch(/^lpk_[A-Za-z0-9_-]{43}$/);
    const listed = await call(api.url, 'GET', `/api/v1/organizations/${a.id}/api-keys`, { token: a.owner.token });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.id, scopes: ['deliveries:write', 'deliveries:read'], hint: created.hint, revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    const [row] = await sql('SELECT * FROM api_keys WHERE id = $1', [created.id]);
    expect(row.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(8));
    // Members use the organisation; only owners hold its keys.
    expectProblem(await call(api.url, 'POST', `/api/v1/organizations/${a.id}/api-keys`, { token: a.members[0]!.token, body: { name: 'x', scopes: ['deliveries:read'] } }), 403);
    expectProblem(await call(api.url, 'GET', `/api/v1/organizations/${a.id}/api-keys`, { token: outsider.token }), 404);
    expectProblem(await call(api.url, 'POST', `/api/v1/organizations/${a.id}/api-keys`, { token: a.owner.token, body: { name: 'x', scopes: ['drivers:write'] } }), 400);
  });

  it('creates a delivery for its organisation, which members see and others do not, and notes its last use', async () => {
    const { id: keyId, key } = await createKey(a, ['deliveries:write', 'deliveries:read']);
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: key, body: deliveryBody(isolatedArea()) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.organizationId).toBe(a.id);
    const id = created.body.id;
    await waitFor('member sees it', async () => (await callIn(api.url, a.id, 'GET', `/api/v1/deliveries/${id}`, { token: a.members[0]!.token })).status === 200);
    expect((await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: key })).status).toBe(200);
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: outsider.token }), 404);
    expectProblem(await callIn(api.url, b.id, 'GET', `/api/v1/deliveries/${id}`, { token: b.owner.token }), 404);
    await waitFor('last use recorded', async () => (await sql('SELECT last_used_at FROM api_keys WHERE id = $1', [keyId]))[0]?.last_used_at);
    expect((await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: key, body: { reason: 'test over' } })).status).toBe(200);
  });

  it('cannot act for another organisation', async () => {
    const { key } = await createKey(a, ['deliveries:write', 'deliveries:read', 'webhooks:manage']);
    const theirs = await callIn(api.url, b.id, 'POST', '/api/v1/deliveries', { token: b.owner.token, body: deliveryBody(isolatedArea()) });
    expect(theirs.status).toBe(201);
    await waitFor('B’s row', async () => (await callIn(api.url, b.id, 'GET', `/api/v1/deliveries/${theirs.body.id}`, { token: b.owner.token })).status === 200);
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${theirs.body.id}`, { token: key }), 404);
    expectProblem(await call(api.url, 'POST', `/api/v1/deliveries/${theirs.body.id}/cancel`, { token: key, body: { reason: 'hostile' } }), 404);
    expectProblem(await callIn(api.url, b.id, 'GET', '/api/v1/deliveries', { token: key }), 404);
    expectProblem(await callIn(api.url, b.id, 'POST', '/api/v1/deliveries', { token: key, body: deliveryBody(isolatedArea()) }), 404);
    expect((await call(api.url, 'GET', '/api/v1/deliveries', { token: key })).body.items.map((d: any) => d.id)).not.toContain(theirs.body.id);
    expectProblem(await call(api.url, 'GET', `/api/v1/organizations/${b.id}/api-keys`, { token: key }), 401, 'API_KEY_NOT_ACCEPTED');
    await callIn(api.url, b.id, 'POST', `/api/v1/deliveries/${theirs.body.id}/cancel`, { token: b.owner.token, body: { reason: 'test over' } });
  });

  it('does only what its scopes allow, and nothing a person’s account does', async () => {
    const { key: reader } = await createKey(a, ['deliveries:read'], 'reporting');
    expect((await call(api.url, 'GET', '/api/v1/deliveries', { token: reader })).status).toBe(200);
    expectProblem(await call(api.url, 'POST', '/api/v1/deliveries', { token: reader, body: deliveryBody(isolatedArea()) }), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await call(api.url, 'GET', '/api/v1/webhooks', { token: reader }), 403, 'INSUFFICIENT_SCOPE');
    for (const [method, path] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/organizations'], ['GET', '/api/v1/drivers'], ['GET', '/api/v1/notifications'], ['POST', '/api/v1/ai/intake']] as const) {
      expectProblem(await call(api.url, method, path, { token: reader, ...(method === 'POST' ? { body: { text: 'a parcel' } } : {}) }), 401, 'API_KEY_NOT_ACCEPTED');
    }
    const { key: hooks } = await createKey(a, ['webhooks:manage'], 'hooks');
    expect((await call(api.url, 'GET', '/api/v1/webhooks', { token: hooks })).status).toBe(200);
    expectProblem(await call(api.url, 'GET', '/api/v1/deliveries', { token: hooks }), 403, 'INSUFFICIENT_SCOPE');
    // No sockets for keys.
    const refusal = await new Promise<{ message: string; data?: { code?: string } }>((resolve) => {
      const socket = io(api.url, { auth: { token: reader }, transports: ['websocket'], reconnection: false });
      socket.on('connect', () => resolve({ message: 'connected' }));
      socket.on('connect_error', (err: Error & { data?: { code?: string } }) => (socket.close(), resolve(err)));
    });
    expect(refusal.message).toBe('unauthorized');
    expect(refusal.data?.code).toBe('API_KEY_NOT_ACCEPTED');
  });

  it('is refused within a second on every replica once revoked', async () => {
    const { id, key } = await createKey(a, ['deliveries:read']);
    // Both replicas have accepted it, so both remember it.
    expect((await call(api.url, 'GET', '/api/v1/deliveries', { token: key })).status).toBe(200);
    expect((await call(replicaUrl, 'GET', '/api/v1/deliveries', { token: key })).status).toBe(200);
    const revokedAt = Date.now();
    expect((await call(api.url, 'DELETE', `/api/v1/organizations/${a.id}/api-keys/${id}`, { token: a.owner.token })).status).toBe(204);
    expectProblem(await call(api.url, 'GET', '/api/v1/deliveries', { token: key }), 401, 'INVALID_API_KEY');
    await waitFor('other replica refuses the key', async () => (await call(replicaUrl, 'GET', '/api/v1/deliveries', { token: key })).status === 401, 1000, 20);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    const listed = await call(api.url, 'GET', `/api/v1/organizations/${a.id}/api-keys`, { token: a.owner.token });
    expect(listed.body.items.find((k: any) => k.id === id).revokedAt).not.toBeNull();
    expectProblem(await call(api.url, 'DELETE', `/api/v1/organizations/${a.id}/api-keys/${id}`, { token: b.owner.token }), 404);
  });

  it('has a rate limit of its own', async () => {
    const limited = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('keyrl'), RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const { key } = await createKey(a, ['deliveries:read'], 'busy');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await call(limited.url, 'GET', '/api/v1/deliveries', { token: key })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      // The person who made the key still has their own budget.
      expect((await call(limited.url, 'GET', '/api/v1/deliveries', { token: a.owner.token })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('never writes a key to the logs', async () => {
    const bogus = `lpk_${'A'.repeat(43)}`;
    keys.push(bogus);
    for (const key of keys) {
      await call(replicaUrl, 'GET', '/api/v1/deliveries', { token: key });
      await call(replicaUrl, 'GET', '/api/v1/auth/me', { token: key });
      await call(replicaUrl, 'POST', '/api/v1/deliveries', { token: key, body: '{"broken', headers: { 'content-type': 'application/json' } });
    }
    const created = await call(replicaUrl, 'POST', `/api/v1/organizations/${a.id}/api-keys`, { token: a.owner.token, body: { name: 'logged?', scopes: ['deliveries:read'] } });
    keys.push(created.body.key);
    await new Promise((r) => setTimeout(r, 300));
    const output = replica.output();
    expect(output).toContain('"request"');
    for (const key of keys) expect(output).not.toContain(key.slice(4));
  });
});
