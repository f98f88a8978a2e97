import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequelize } from '../../db/connection.js';
import { webhookSecretBox } from '../../db/secret-box.js';
import { createWebhookStore } from '../../db/webhooks.js';
import { pause, call, deliveryBody, env, isolatedArea, login, registerCustomer, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('webhook delivery: retries, dead letters, redelivery, SSRF guard', () => {
  let api: TestApi;
  let sequelize: Sequelize;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    sequelize = createSequelize(env().DATABASE_URL!);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await sequelize?.close();
    await api?.close();
  });

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const subscribe = async (who: Session, r: Receiver, events = ['delivery.quoted']) => {
    const res = await call(api.url, 'POST', '/api/v1/webhooks', { token: who.token, body: { url: r.url, events } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    r.secret = res.body.secret;
    return res.body.id as string;
  };
  const quote = async (who: Session) => {
    const res = await call(api.url, 'POST', '/api/v1/deliveries', { token: who.token, body: deliveryBody(isolatedArea()) });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const deliveriesOf = async (who: Session, webhookId: string, query = '') =>
    (await call(api.url, 'GET', `/api/v1/webhooks/${webhookId}/deliveries${query}`, { token: who.token })).body.items as any[];

  it('keeps retrying a receiver that answers 500 twice and delivers once it recovers', async () => {
    const customer = await registerCustomer(api.url);
    const flaky = await receiver((_req, i) => (i < 2 ? { status: 500, body: 'database is down' } : { status: 200, body: 'ok' }));
    const webhookId = await subscribe(customer, flaky);
    await quote(customer);

    const [row] = await waitFor('delivered after retries', async () => {
      const items = await deliveriesOf(customer, webhookId);
      return items[0]?.status === 'delivered' ? items : null;
    }, 20_000);
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, responseStatus: 200, eventType: 'delivery.quoted' });
    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.ids())).toEqual(new Set([row.eventId]));
    expect(flaky.requests.every((r) => r.verified)).toBe(true);
    // Each attempt is signed afresh; the message and its id stay the same.
    expect(new Set(flaky.requests.map((r) => r.body)).size).toBe(1);
    expect(flaky.requests[2]!.at - flaky.requests[0]!.at).toBeGreaterThanOrEqual(300);
  });

  it('dead-letters a receiver that never recovers, shows it to its owner only, and redelivers on request', async () => {
    const customer = await registerCustomer(api.url);
    let healthy = false;
    const broken = await receiver(() => (healthy ? { status: 204 } : { status: 500, body: `failure ${'x'.repeat(5000)}` }));
    const webhookId = await subscribe(customer, broken);
    await quote(customer);

    const [dead] = await waitFor('dead letter', async () => {
      const items = await deliveriesOf(customer, webhookId, '?status=dead');
      return items.length > 0 ? items : null;
    }, 20_000);
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, lastError: 'HTTP 500', responseStatus: 500 });
    expect(dead.responseExcerpt.startsWith('failure xxx')).toBe(true);
    expect(dead.responseExcerpt.length).toBeLessThanOrEqual(500);
    expect(broken.requests).toHaveLength(4);
    const listed = await call(api.url, 'GET', '/api/v1/webhooks', { token: customer.token });
    expect(listed.body.items[0]).toMatchObject({ id: webhookId, deadDeliveries: 1, pendingDeliveries: 0 });

    const stranger = await registerCustomer(api.url);
    expect((await call(api.url, 'GET', `/api/v1/webhooks/${webhookId}/deliveries`, { token: stranger.token })).status).toBe(404);
    expect((await call(api.url, 'POST', `/api/v1/webhooks/${webhookId}/deliveries/${dead.id}/redeliver`, { token: stranger.token })).status).toBe(404);
    const dispatcher = await login(api.url, 'dispatcher@example.com');
    expect((await call(api.url, 'GET', `/api/v1/webhooks/${webhookId}/deliveries`, { token: dispatcher.token })).status).toBe(403);

    healthy = true;
    const redelivered = await call(api.url, 'POST', `/api/v1/webhooks/${webhookId}/deliveries/${dead.id}/redeliver`, { token: customer.token });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ id: dead.id, status: 'pending' });
    const [row] = await waitFor('redelivered', async () => {
      const items = await deliveriesOf(customer, webhookId);
      return items[0]?.status === 'delivered' ? items : null;
    });
    expect(row).toMatchObject({ id: dead.id, attempts: 5, responseStatus: 204, lastError: null, deadAt: null });
    expect(broken.requests).toHaveLength(5);
    expect(new Set(broken.ids())).toEqual(new Set([dead.eventId]));
    expect(broken.requests[4]!.verified).toBe(true);
  });

  it('refuses to register internal addresses and names that resolve to them', async () => {
    const customer = await registerCustomer(api.url);
    const local = await receiver();
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]:8080/hook', `http://localhost:${local.port}/hook`, 'http://[::ffff:169.254.169.254]/']) {
      const res = await call(api.url, 'POST', '/api/v1/webhooks', { token: customer.token, body: { url, events: ['*'] } });
      expect(res.status, url).toBe(400);
      expect(res.body.code).toBe('WEBHOOK_URL_REFUSED');
    }
    const bad = [
      { url: 'ftp://example.com/x', events: ['*'] },
      { url: local.url, events: ['delivery.alert'] },
      { url: local.url, events: [] },
      { url: local.url, events: ['*'], secret: 'mine' },
    ];
    for (const body of bad) expect((await call(api.url, 'POST', '/api/v1/webhooks', { token: customer.token, body })).status, JSON.stringify(body)).toBe(400);
    const driver = await login(api.url, 'driver1@example.com');
    expect((await call(api.url, 'POST', '/api/v1/webhooks', { token: driver.token, body: { url: local.url, events: ['*'] } })).status).toBe(403);
    expect(local.requests).toHaveLength(0);
  });

  it('refuses at send time: internal targets stored earlier, a name now resolving to 127.0.0.1, and redirects inward', async () => {
    const customer = await registerCustomer(api.url);
    const inside = await receiver(() => ({ status: 200, body: 'internal secret' }));
    const toLocalName = await receiver(() => ({ status: 307, headers: { location: `http://localhost:${inside.port}/admin` } }));
    const toMetadata = await receiver(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    // Rows written straight to the store stand for endpoints whose names were re-pointed after registration.
    const store = createWebhookStore(sequelize, webhookSecretBox(env().JWT_SECRET!));
    const targets = [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://[::1]:9/hook',
      `http://localhost:${inside.port}/hook`,
    ];
    for (const url of targets) await store.createEndpoint({ owner: { userId: customer.user.id, organizationId: null }, url, events: ['delivery.quoted'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const redirecting = [await subscribe(customer, toLocalName), await subscribe(customer, toMetadata)];
    await quote(customer);

    const endpoints = (await call(api.url, 'GET', '/api/v1/webhooks', { token: customer.token })).body.items as any[];
    expect(endpoints).toHaveLength(6);
    const outcomes = await waitFor('every send refused', async () => {
      const rows = await Promise.all(endpoints.map(async (e) => ({ url: e.url as string, id: e.id as string, rows: await deliveriesOf(customer, e.id) })));
      return rows.every((r) => r.rows[0]?.status === 'dead') ? rows : null;
    }, 20_000);
    const errorFor = (match: string) => outcomes.find((o) => o.url.includes(match))!.rows[0];
    expect(errorFor('169.254.169.254').lastError).toMatch(/refused to send to 169\.254\.169\.254: metadata address/);
    expect(errorFor('10.0.0.1').lastError).toMatch(/refused to send to 10\.0\.0\.1: private address/);
    expect(errorFor('[::1]').lastError).toMatch(/refused to send to ::1: loopback address/);
    expect(errorFor('localhost').lastError).toMatch(/refused to send to (127\.0\.0\.1|::1) \(localhost resolves to it\): loopback address/);
    for (const id of redirecting) {
      const row = outcomes.find((o) => o.id === id)!.rows[0];
      expect(row.lastError).toMatch(/^redirect to http:\/\/(localhost|169\.254\.169\.254)\S* not followed \(HTTP 30[27]\)$/);
    }
    // Refusals are final: one attempt each, and nothing reached the internal receiver.
    expect(outcomes.every((o) => o.rows[0].attempts === 1)).toBe(true);
    await pause(500);
    expect(inside.requests).toHaveLength(0);
    expect(toLocalName.requests).toHaveLength(1);
    expect(toMetadata.requests).toHaveLength(1);
  });

  it('removes an endpoint for its owner only', async () => {
    const customer = await registerCustomer(api.url);
    const r = await receiver();
    const webhookId = await subscribe(customer, r);
    const stranger = await registerCustomer(api.url);
    expect((await call(api.url, 'DELETE', `/api/v1/webhooks/${webhookId}`, { token: stranger.token })).status).toBe(404);
    expect((await call(api.url, 'DELETE', `/api/v1/webhooks/${webhookId}`, { token: customer.token })).status).toBe(204);
    expect((await call(api.url, 'GET', '/api/v1/webhooks', { token: customer.token })).body.items).toEqual([]);
    await quote(customer);
    await pause(1000);
    expect(r.requests).toHaveLength(0);
  });
});
