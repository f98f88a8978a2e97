import { createHash, randomUUID } from 'node:crypto';
import { afterAll, describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { temporalClient } from '../support/flow.js';
import { call, deliveryBody, isolatedArea, pause, waitFor, type Session, type TestApi } from '../support/harness.js';
import { closeSql, expectProblem, registerAndLogin, sql } from './support.js';

// Each test a customer of its own, whose deliveries and keys no other test touches.
const it = apiTest().extend<{ newCustomer: Session }>({
  newCustomer: async ({ api }, use) => use(await registerAndLogin(api.url)),
});

const create = (api: TestApi, s: Session, body: unknown, key?: string) =>
  call(api.url, 'POST', '/api/v1/deliveries', { token: s.token, body, headers: key ? { 'idempotency-key': key } : {} });

/** Every workflow Temporal has for this customer, counted once its visibility store has caught up. */
async function workflowsOf(customerId: string, expected: number): Promise<number> {
  const client = await temporalClient();
  const count = async () => (await client.workflow.count(`CustomerId = '${customerId}'`)).count;
  await waitFor(`${expected} workflow(s) visible`, async () => (await count()) >= expected, 10_000);
  // Give a wrongly started second workflow the time to show up too.
  await pause(1000);
  return count();
}

async function readModelCount(api: TestApi, s: Session): Promise<number> {
  return (await call(api.url, 'GET', '/api/v1/deliveries', { token: s.token })).body.items.length;
}

describe('Idempotency-Key', () => {
  afterAll(() => closeSql());

  it('replays the first answer for the same key and body, and starts no second workflow', async ({ api, newCustomer }) => {
    const body = deliveryBody(isolatedArea());
    const key = `create-${randomUUID()}`;
    const first = await create(api, newCustomer, body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await create(api, newCustomer, body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);

    expect(await workflowsOf(newCustomer.user.id, 1)).toBe(1);
    expect(await readModelCount(api, newCustomer)).toBe(1);
  });

  it('refuses the same key with another body (422) and another route (422)', async ({ api, newCustomer }) => {
    const area = isolatedArea();
    const key = `create-${randomUUID()}`;
    const first = await create(api, newCustomer, deliveryBody(area), key);
    expect(first.status).toBe(201);
    expectProblem(await create(api, newCustomer, deliveryBody(area, { priority: 'urgent' }), key), 422, 'IDEMPOTENCY_KEY_REUSED');
    const cancel = await call(api.url, 'POST', `/api/v1/deliveries/${first.body.id}/cancel`, {
      token: newCustomer.token, body: { reason: 'x' }, headers: { 'idempotency-key': key },
    });
    expectProblem(cancel, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await workflowsOf(newCustomer.user.id, 1)).toBe(1);
  });

  it('answers 409 while the first request with the key is still running', async ({ api, newCustomer }) => {
    const body = deliveryBody(isolatedArea());
    const key = `busy-${randomUUID()}`;
    // The same request holding the key right now, as a slow first try would.
    const requestHash = createHash('sha256').update(`POST /api/v1/deliveries\n${JSON.stringify(body)}`).digest('hex');
    await sql(`INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) VALUES ($1, $2, 'POST', '/api/v1/deliveries', $3)`, [newCustomer.user.id, key, requestHash]);
    expectProblem(await create(api, newCustomer, body, key), 409, 'IDEMPOTENCY_IN_PROGRESS');
    expect(await readModelCount(api, newCustomer)).toBe(0);
  });

  it('lets concurrent tries of one create run once: one answer is fresh, the others 409 or the replay', async ({ api, newCustomer }) => {
    const body = deliveryBody(isolatedArea());
    const key = `race-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => create(api, newCustomer, body, key)));
    const fresh = results.filter((r) => r.status === 201 && !r.headers.get('idempotent-replayed'));
    expect(fresh).toHaveLength(1);
    for (const r of results) {
      if (r === fresh[0]) continue;
      if (r.status === 409) expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      else expect(r.body).toEqual(fresh[0]!.body);
    }
    expect(results.some((r) => r.status === 409)).toBe(true);
    expect(await workflowsOf(newCustomer.user.id, 1)).toBe(1);
  });

  it('still starts no second workflow when the stored answer was lost (crash before it was recorded)', async ({ api, newCustomer }) => {
    const body = deliveryBody(isolatedArea());
    const key = `lost-${randomUUID()}`;
    const first = await create(api, newCustomer, body, key);
    expect(first.status).toBe(201);
    await sql('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2', [newCustomer.user.id, key]);

    const retry = await create(api, newCustomer, body, key);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.trackingCode).toBe(first.body.trackingCode);
    expect(await workflowsOf(newCustomer.user.id, 1)).toBe(1);
  });

  it('takes over a key whose first request died long ago', async ({ api, newCustomer }) => {
    const key = `stale-${randomUUID()}`;
    await sql(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, created_at)
       VALUES ($1, $2, 'POST', '/api/v1/deliveries', 'x', now() - interval '3 minutes')`,
      [newCustomer.user.id, key],
    );
    expect((await create(api, newCustomer, deliveryBody(isolatedArea()), key)).status).toBe(201);
  });

  it('does not pin a key to a request that failed, so the corrected retry runs', async ({ api, newCustomer }) => {
    const key = `fix-${randomUUID()}`;
    expectProblem(await create(api, newCustomer, { ...deliveryBody(isolatedArea()), price: 1 }, key), 400, 'VALIDATION_FAILED');
    expect((await create(api, newCustomer, deliveryBody(isolatedArea()), key)).status).toBe(201);
  });

  it('keeps keys per user: another user’s identical key is a new request', async ({ api }) => {
    const [a, b] = await Promise.all([registerAndLogin(api.url), registerAndLogin(api.url)]);
    const key = `shared-${randomUUID()}`;
    const body = deliveryBody(isolatedArea());
    const ra = await create(api, a, body, key);
    const rb = await create(api, b, body, key);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(rb.body.id).not.toBe(ra.body.id);
    expect(rb.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays an action: the quote is accepted once, the timeline has one quote_accepted', async ({ api, newCustomer, dispatcher }) => {
    const created = await create(api, newCustomer, deliveryBody(isolatedArea()));
    const key = `accept-${randomUUID()}`;
    const accept = () => call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/accept-quote`, { token: newCustomer.token, headers: { 'idempotency-key': key } });
    const first = await accept();
    expect(first.status).toBe(200);
    const second = await accept();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const detail = await call(api.url, 'GET', `/api/v1/deliveries/${created.body.id}`, { token: dispatcher.token });
    expect(detail.body.timeline.filter((e: { type: string }) => e.type === 'quote_accepted')).toHaveLength(1);
  });

  it('refuses a malformed key', async ({ api, newCustomer }) => {
    const res = await create(api, newCustomer, deliveryBody(isolatedArea()), 'short');
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].path).toBe('header.Idempotency-Key');
  });
});
