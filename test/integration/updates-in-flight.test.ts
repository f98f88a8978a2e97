/**
 * A person's change is recorded by the API that sent its Update. The API opens the Update in Postgres
 * first; an API that stops before it records the answer leaves it open, and any API instance later
 * records what the delivery did, and the workers' relay publishes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdatesInFlight } from '../../api/services/updates-in-flight.js';
import { createSequelize, type Database } from '../../db/connection.js';
import { arrivedAtPickupUpdate, type ActionResult } from '../../workflows/messages.js';
import { assignedDelivery, closeSql, sql } from '../api/support.js';
import { book, expectContiguousTimeline, temporalClient } from '../support/flow.js';
import { call, createDriverAt, deliveryBody, env, isolatedArea, loginAs, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { closeSockets, connected } from '../realtime/live-support.js';

const quiet = { warn: () => {}, info: () => {} };

describe('updates in flight', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;
  let driver: Session;
  let sequelize: Database;

  beforeAll(async () => {
    api = await startTestApi();
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
    driver = await createDriverAt(api.url, dispatcher, isolatedArea());
    sequelize = createSequelize(env().DATABASE_URL!);
  });
  afterAll(async () => {
    closeSockets();
    await sequelize?.close();
    await api?.close();
    await closeSql();
  });

  /** A checker of open Updates that takes them at once, as an API instance would past the deadline. */
  const checkingNow = async () =>
    new UpdatesInFlight({ sequelize, temporal: await temporalClient(), taskQueue: env().TEMPORAL_TASK_QUEUE!, redisPrefix: env().REDIS_PREFIX!, log: quiet, checkAfterMs: 0 });

  /** A request made while this API's read-model writes fail (the database refusing them). */
  async function whileRecordsFail<T>(request: () => Promise<T>): Promise<T> {
    const updates = api.running.api.services.updates;
    const record = updates.record.bind(updates);
    updates.record = () => Promise.reject(new Error('the database refused'));
    try {
      return await request();
    } finally {
      updates.record = record;
    }
  }

  const openRows = async (deliveryId: string) => Number((await sql('SELECT count(*) FROM delivery_updates_in_flight WHERE delivery_id = $1', [deliveryId]))[0].count);

  it('an API that stops between an Update and its record leaves it open; a check records what the delivery did, and the relay publishes it', async () => {
    const id = await assignedDelivery(api.url, customer, dispatcher, driver);
    const before = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    const board = await connected(api.url, { token: dispatcher.token });
    const updates = await checkingNow();

    // What the API does up to the Update's answer; then it stops.
    await updates.open(id);
    const handle = (await temporalClient()).workflow.getHandle(`delivery-${id}`);
    const answer: ActionResult = await handle.executeUpdate(arrivedAtPickupUpdate, {
      args: [{ actor: { kind: 'driver', userId: driver.user.id, driverId: driver.user.driverId } }],
    });
    expect('transitions' in answer && answer.transitions.map((t) => t.type)).toEqual(['arrived_pickup']);
    const unrecorded = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(unrecorded.body).toMatchObject({ status: 'ASSIGNED', seq: before.body.seq });
    expect(await openRows(id)).toBe(1);

    expect(await updates.check()).toBe(1);
    const recorded = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(recorded.body).toMatchObject({ status: 'AT_PICKUP', seq: before.body.seq + 1 });
    await expectContiguousTimeline(api.url, dispatcher.token, id);
    expect(await openRows(id)).toBe(0);
    // Nothing is recorded twice, and the board hears of it from the workers' relay.
    expect(await updates.catchUp(id)).toBe(0);
    const pushed = await waitFor('the change on the board', async () =>
      board.of('delivery:updated').map(([d]) => d).find((d) => d.id === id && d.status === 'AT_PICKUP') ?? null);
    expect(pushed.seq).toBe(before.body.seq + 1);
  });

  it('a tap is in the read model when the API answers it, and a refused one leaves nothing open', async () => {
    const id = await assignedDelivery(api.url, customer, dispatcher, driver);
    const arrived = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_pickup' } });
    expect(arrived.status, JSON.stringify(arrived.body)).toBe(200);
    const [row] = await sql('SELECT status, seq FROM deliveries WHERE id = $1', [id]);
    expect(row).toEqual({ status: 'AT_PICKUP', seq: arrived.body.seq });

    const refused = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_dropoff' } });
    expect(refused.status).toBe(409);
    expect(await openRows(id)).toBe(0);
  });

  it('a create whose record fails answers 504 and leaves it open; a check records the delivery from its workflow, booking and all', async () => {
    const body = deliveryBody(isolatedArea());
    const key = `create-${crypto.randomUUID()}`;
    const create = () => call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body, headers: { 'Idempotency-Key': key } });
    const pending = await whileRecordsFail(create);
    expect(pending.status, JSON.stringify(pending.body)).toBe(504);
    expect(pending.body.code).toBe('WORKFLOW_PENDING');
    const id = pending.headers.get('location')!.split('/').pop()!;
    expect(await sql('SELECT id FROM deliveries WHERE id = $1', [id])).toEqual([]);
    expect(await openRows(id)).toBe(1);

    const checker = await checkingNow();
    expect(await checker.catchUp(id)).toBe(1);
    const recorded = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token });
    expect(recorded.body).toMatchObject({ id, status: 'QUOTED', seq: 1, pickup: { address: body.pickup.address } });
    await expectContiguousTimeline(api.url, dispatcher.token, id);
    // The client's retry finds the delivery its first try started.
    const retried = await create();
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body).toMatchObject({ id, status: 'QUOTED', trackingCode: recorded.body.trackingCode });
  });

  it('a tap whose record fails answers 504; its retry with the same Idempotency-Key records it', async () => {
    const id = await assignedDelivery(api.url, customer, dispatcher, driver);
    const tap = () => call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type: 'arrived_pickup' }, headers: { 'Idempotency-Key': `arrived-${id}` } });
    const pending = await whileRecordsFail(tap);
    expect(pending.status, JSON.stringify(pending.body)).toBe(504);
    expect(pending.body.code).toBe('WORKFLOW_PENDING');
    expect((await sql('SELECT status FROM deliveries WHERE id = $1', [id]))[0].status).toBe('ASSIGNED');

    const retried = await tap();
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.status).toBe('AT_PICKUP');
    expect((await sql('SELECT status FROM deliveries WHERE id = $1', [id]))[0].status).toBe('AT_PICKUP');
    await expectContiguousTimeline(api.url, dispatcher.token, id);
  });

  it("answers a quote's acceptance with the offer the candidate search led to, already in the read model", async () => {
    const area = isolatedArea();
    const nearby = await createDriverAt(api.url, dispatcher, area);
    const id = await book(api.url, customer, area);
    const accepted = await call(api.url, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe('DISPATCHING');
    expect(accepted.body.offer?.driverId).toBe(nearby.user.driverId);
    const types = (await sql('SELECT type FROM delivery_events WHERE delivery_id = $1 ORDER BY seq', [id])).map((r: { type: string }) => r.type);
    expect(types.slice(-1)).toEqual(['offer_sent']);
    expect(await openRows(id)).toBe(0);
  });
});
