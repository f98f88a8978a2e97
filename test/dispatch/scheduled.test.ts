/**
 * A delivery booked for a later pickup window waits SCHEDULED, and a durable timer starts its dispatch
 * at window start − DISPATCH_LEAD_MS, even when the worker that set the timer is gone by then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deliveryBody, isolatedArea, loginAs, startTestApi, waitForDelivery, type Session, type TestApi } from '../support/harness.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';
import { recordHistory } from '../support/flow.js';

// Shortened from the "lead 1 min, window in 3 min": the same shape, a test that takes seconds.
const LEAD_MS = 8_000;

describe('scheduled deliveries', () => {
  const taskQueue = `deliveries-scheduled-${process.pid}`;
  let api: TestApi;
  let worker: ChildService | undefined;
  let customer: Session;
  let dispatcher: Session;
  /** How long a worker took to start here: the restart must fit before dispatch, however busy the machine. */
  let startupMs = 0;
  const startWorker = () => startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue }, 180_000);

  beforeAll(async () => {
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: taskQueue, DISPATCH_LEAD_MS: String(LEAD_MS) });
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
    const started = Date.now();
    worker = await startWorker();
    startupMs = Date.now() - started;
  }, 240_000);
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await api?.close();
  });

  const windowFromNow = (fromMs: number, lengthMs: number) => ({
    from: new Date(Date.now() + fromMs).toISOString(),
    to: new Date(Date.now() + fromMs + lengthMs).toISOString(),
  });

  it('waits SCHEDULED, then moves to DISPATCHING at window start − lead, across a worker restart', async () => {
    const windowInMs = LEAD_MS + 2 * startupMs + 15_000;
    const pickupWindow = windowFromNow(windowInMs, 2 * 3600_000);
    const created = await call(api.url, 'POST', '/api/v1/deliveries', {
      token: customer.token,
      body: deliveryBody(isolatedArea(), { pickupWindow, dropoffWindow: windowFromNow(windowInMs, 4 * 3600_000) }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const expectedDispatchAt = new Date(Date.parse(pickupWindow.from) - LEAD_MS).toISOString();
    expect(created.body).toMatchObject({ status: 'QUOTED', pickupWindow, dispatchAt: expectedDispatchAt });

    const accepted = await call(api.url, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe('SCHEDULED');
    const listed = await call(api.url, 'GET', `/api/v1/deliveries?status=SCHEDULED`, { token: dispatcher.token });
    expect(listed.body.items.map((d: { id: string }) => d.id)).toContain(id);

    // The worker that set the timer dies; none runs until its replacement is up, before dispatchAt.
    await worker!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    const still = await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token });
    expect(still.body.status).toBe('SCHEDULED');
    worker = await startWorker();
    expect(Date.now()).toBeLessThan(Date.parse(expectedDispatchAt));

    const dispatching = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.status === 'DISPATCHING', Date.parse(expectedDispatchAt) - Date.now() + 20_000);
    const started = dispatching.timeline.find((e: { type: string }) => e.type === 'dispatch_started');
    expect(started.actor.kind).toBe('system');
    // On time: not before dispatchAt, and within a few seconds of it on a loaded machine.
    const lateByMs = Date.parse(started.at) - Date.parse(expectedDispatchAt);
    expect(lateByMs).toBeGreaterThanOrEqual(0);
    expect(lateByMs).toBeLessThan(5000);
  }, 480_000);

  it('cancels while scheduled, and never dispatches', async () => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', {
      token: customer.token,
      body: deliveryBody(isolatedArea(), { pickupWindow: windowFromNow(3600_000, 3600_000), autoAccept: true }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await waitForDelivery(api.url, customer.token, id, (d) => d.status === 'SCHEDULED');
    const cancelled = await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: customer.token, body: { reason: 'plans changed' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    const final = await waitForDelivery(api.url, customer.token, id, (d) => d.quote.voidedAt);
    expect(final.timeline.map((e: { type: string }) => e.type)).not.toContain('dispatch_started');
    await recordHistory(id, 'scheduled-then-cancelled');
  });

  it('refuses windows that cannot be kept, naming the field', async () => {
    const post = (overrides: Record<string, unknown>) => call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), overrides) });
    const paths = async (overrides: Record<string, unknown>) => {
      const res = await post(overrides);
      expect(res.status).toBe(400);
      return res.body.errors.map((e: { path: string }) => e.path);
    };
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(await paths({ pickupWindow: { from: at(7200_000), to: at(3600_000) } })).toEqual(['body.pickupWindow.to']);
    expect(await paths({ pickupWindow: { from: at(-7200_000), to: at(-3600_000) } })).toEqual(['body.pickupWindow.to']);
    expect(await paths({ dropoffWindow: { from: at(15 * 86400_000), to: at(15 * 86400_000 + 3600_000) } })).toEqual(['body.dropoffWindow.to']);
    expect(await paths({ pickupWindow: { from: at(7200_000), to: at(9000_000) }, dropoffWindow: { from: at(0), to: at(3600_000) } })).toEqual(['body.dropoffWindow.to']);
    expect(await paths({ pickupWindow: { from: 'tomorrow', to: at(3600_000) } })).toEqual(['body.pickupWindow.from']);
  });
});
