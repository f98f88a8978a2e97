/**
 * No delivery is stuck silently: a change the database refuses for good, and an activity failing again
 * and again, both reach the dispatcher's board within a minute, and `npm run ops -- stuck` lists the latter.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env.js';
import type { DeliveryWorkflowInput } from '../../domain/delivery.js';
import { quotePrice } from '../../domain/pricing.js';
import { quoteRecordedUpdate } from '../../workflows/messages.js';
import { findStuckDeliveries } from '../../scripts/lib/stuck.js';
import { closeSql, sql } from '../api/support.js';
import { temporalClient } from '../support/flow.js';
import { call, env, loginAs, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { closeSockets, connected } from '../realtime/live-support.js';

function inputFor(deliveryId: string, customerId: string, pickupAddress: string): DeliveryWorkflowInput {
  const now = new Date();
  const pickup = { address: pickupAddress, lat: 10, lng: 10 };
  const dropoff = { address: 'Elm St 14', lat: 10.01, lng: 10.01 };
  const parcel = { weightKg: 2 };
  const price = quotePrice({ distanceKm: 2, parcel, priority: 'standard', requestedAt: now.toISOString() });
  return {
    deliveryId,
    trackingCode: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
    customerId,
    pickup,
    dropoff,
    parcel,
    priority: 'standard',
    quote: { ...price, expiresAt: new Date(now.getTime() + 600_000).toISOString() },
    autoAccept: false,
    timings: { ...loadConfig(env()).timings, quoteTtlMs: 600_000 },
    createdAt: now.toISOString(),
  };
}

describe('stuck deliveries', () => {
  let api: TestApi;
  let dispatcher: Session;
  let customer: Session;
  const started: string[] = [];

  beforeAll(async () => {
    // A short Update deadline, so the pending answer shows in seconds (the default is 10 s).
    api = await startTestApi({ REDIS_PREFIX: env().REDIS_PREFIX!, UPDATE_DEADLINE_MS: '2000' });
    [dispatcher, customer] = await loginAs(api.url, 'dispatcher', 'customer');
  });
  afterAll(async () => {
    const client = await temporalClient();
    for (const id of started) await client.workflow.getHandle(`delivery-${id}`).terminate('test over').catch(() => undefined);
    await sql('DROP FUNCTION IF EXISTS refuse_for_test() CASCADE').catch(() => undefined);
    await sql('DROP FUNCTION IF EXISTS slow_lane_for_test() CASCADE').catch(() => undefined);
    closeSockets();
    await api?.close();
    await closeSql();
  });

  async function start(deliveryId: string, address: string) {
    const client = await temporalClient();
    started.push(deliveryId);
    return client.workflow.start('deliveryWorkflow', {
      workflowId: `delivery-${deliveryId}`,
      taskQueue: env().TEMPORAL_TASK_QUEUE!,
      args: [inputFor(deliveryId, customer.user.id, address)],
    });
  }

  const alertOf = (board: Awaited<ReturnType<typeof connected>>, deliveryId: string, kind: string) =>
    board.of('alert:raised').map(([a]) => a).find((a) => a.deliveryId === deliveryId && a.kind === kind);

  it('a change the database refuses for good is not retried, raises an alert on the board, and leaves no caller waiting', async () => {
    const board = await connected(api.url, { token: dispatcher.token });
    const deliveryId = randomUUID();
    // Bypasses the API's checks, as a value from an older client or another path would.
    const handle = await start(deliveryId, 'Poison\u0000Street 1');
    const t0 = Date.now();
    const alert = await waitFor('the record_rejected alert', async () => alertOf(board, deliveryId, 'record_rejected'), 60_000);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(alert.message).toMatch(/recordTransitions refused by the database for good \(22/);
    // The Update the API waits on answers: the workflow moved past the record it could not write.
    const state = await handle.executeUpdate(quoteRecordedUpdate, { args: [{}] });
    expect(state).toMatchObject({ status: 'QUOTED' });
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect((description.raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 0) > 1)).toEqual([]);
    expect((await findStuckDeliveries(await temporalClient())).map((s) => s.deliveryId)).not.toContain(deliveryId);
  }, 90_000);

  it('an activity failing again and again raises an alert and is listed by ops stuck, and recovers when the fault clears', async () => {
    const board = await connected(api.url, { token: dispatcher.token });
    const deliveryId = randomUUID();
    // A fault the retry policy must ride out: every write of this one delivery fails until the trigger goes.
    await sql(`CREATE OR REPLACE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = '${deliveryId}'::uuid THEN RAISE EXCEPTION 'refused for now by the test' USING ERRCODE = '40001'; END IF;
        RETURN NEW;
      END $$`);
    await sql('CREATE TRIGGER refuse_for_test BEFORE INSERT OR UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse_for_test()');
    await start(deliveryId, 'Main Street 1');

    const alert = await waitFor('the activity_failing alert', async () => alertOf(board, deliveryId, 'activity_failing'), 60_000);
    expect(alert.message).toMatch(/recordTransitions has failed 5 times in a row/);
    const stuck = (await findStuckDeliveries(await temporalClient())).find((s) => s.deliveryId === deliveryId);
    expect(stuck).toMatchObject({ activity: 'recordTransitions', lastFailure: expect.stringContaining('refused for now') });
    expect(stuck!.attempt).toBeGreaterThanOrEqual(5);

    await sql('DROP TRIGGER refuse_for_test ON deliveries');
    const row = await waitFor('the delivery recorded once the fault cleared', async () => {
      const res = await call(api.url, 'GET', `/api/v1/deliveries/${deliveryId}`, { token: dispatcher.token });
      return res.status === 200 ? res.body : null;
    }, 60_000, 500);
    expect(row.status).toBe('QUOTED');
  }, 150_000);

  it('answers 504 WORKFLOW_PENDING past the Update deadline, and a retry with the same Idempotency-Key finds the outcome', async () => {
    const lane = `Slow Lane ${randomUUID().slice(0, 8)}`;
    await sql(`CREATE OR REPLACE FUNCTION slow_lane_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.pickup->>'address' = '${lane}' THEN RAISE EXCEPTION 'slow lane' USING ERRCODE = '40001'; END IF;
        RETURN NEW;
      END $$`);
    await sql('CREATE TRIGGER slow_lane_for_test BEFORE INSERT OR UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION slow_lane_for_test()');
    const body = { pickup: { address: lane, lat: 10, lng: 10 }, dropoff: { address: 'Elm St 14', lat: 10.01, lng: 10.01 }, parcel: { weightKg: 2 } };
    const create = () => call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body, headers: { 'idempotency-key': `slow-lane-${lane.slice(10)}` } });

    const t0 = Date.now();
    const pending = await create();
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(pending.status, JSON.stringify(pending.body)).toBe(504);
    expect(pending.body).toMatchObject({ code: 'WORKFLOW_PENDING', detail: expect.stringContaining('same Idempotency-Key') });
    const location = pending.headers.get('location')!;
    expect(location).toMatch(/^\/api\/v1\/deliveries\/[0-9a-f-]{36}$/);
    started.push(location.split('/').pop()!);

    await sql('DROP TRIGGER slow_lane_for_test ON deliveries');
    const created = await waitFor('the retried create answered', async () => {
      const res = await create();
      expect([201, 504]).toContain(res.status);
      return res.status === 201 ? res.body : null;
    }, 60_000, 500);
    expect(`/api/v1/deliveries/${created.id}`).toBe(location);
    expect(created.status).toBe('QUOTED');
  }, 120_000);
});
