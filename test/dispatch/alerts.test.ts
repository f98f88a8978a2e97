/** Alerts kept in the read model: listed with no page open, acknowledged by someone, resolved by their cause clearing. */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDriverAt, deliveryBody, isolatedArea, loginAs, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';

describe('alerts that persist', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi();
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(() => api?.close());

  const alertsOf = async (state: string, deliveryId: string) => {
    const res = await call(api.url, 'GET', `/api/v1/alerts?state=${state}`, { token: dispatcher.token });
    expect(res.status).toBe(200);
    return (res.body.items as Array<Record<string, any>>).filter((a) => a.deliveryId === deliveryId);
  };

  it('lists an alert raised while no page was open, and resolves it when a driver is assigned', async () => {
    // Nobody on duty here: dispatch finds no candidates and says so, with no dispatcher connected.
    const area = isolatedArea();
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
    const id = created.body.id as string;
    const [open] = await waitFor('the open alert', async () => {
      const items = await alertsOf('open', id);
      return items.length > 0 ? items : null;
    });
    expect(open).toMatchObject({ kind: 'no_candidates', severity: 'critical', state: 'open', trackingCode: created.body.trackingCode, resolvedAt: null });

    // Watch the board's socket while the cause clears.
    const board: Socket = io(api.url, { auth: { token: dispatcher.token }, transports: ['websocket'] });
    const heard: Array<Record<string, any>> = [];
    board.on('alert:updated', (alert) => heard.push(alert));
    await new Promise<void>((resolve) => board.once('connect', () => resolve()));
    try {
      const driver = await createDriverAt(api.url, dispatcher, area);
      const assigned = await call(api.url, 'POST', `/api/v1/deliveries/${id}/assign`, { token: dispatcher.token, body: { driverId: driver.user.driverId } });
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
      const [resolved] = await waitFor('the resolved alert', async () => {
        const items = (await alertsOf('resolved', id)).filter((a) => a.id === open!.id);
        return items.length > 0 ? items : null;
      });
      expect(resolved).toMatchObject({ state: 'resolved', resolution: 'driver assigned' });
      expect(await alertsOf('open', id)).toEqual([]);
      await waitFor('alert:updated on the board', async () => heard.find((a) => a.id === open!.id && a.state === 'resolved'));
    } finally {
      board.close();
    }
  });

  it('keeps who acknowledged an alert and when; customers and drivers may not list them', async () => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) });
    const id = created.body.id as string;
    const [open] = await waitFor('the open alert', async () => {
      const items = await alertsOf('open', id);
      return items.length > 0 ? items : null;
    });
    const acked = await call(api.url, 'POST', `/api/v1/alerts/${open!.id}/acknowledge`, { token: dispatcher.token });
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: { id: dispatcher.user.id, name: dispatcher.user.name } });
    expect(Date.parse(acked.body.acknowledgedAt)).toBeGreaterThan(Date.now() - 60_000);
    const again = await call(api.url, 'POST', `/api/v1/alerts/${open!.id}/acknowledge`, { token: dispatcher.token });
    expect(again.body.acknowledgedAt).toBe(acked.body.acknowledgedAt);
    expect((await alertsOf('acknowledged', id)).map((a) => a.id)).toContain(open!.id);
    expect(await alertsOf('open', id)).toEqual([]);

    expect((await call(api.url, 'GET', '/api/v1/alerts', { token: customer.token })).status).toBe(403);
    expect((await call(api.url, 'POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge', { token: dispatcher.token })).status).toBe(404);
    // Cancelling clears every cause: it resolves, acknowledged or not.
    await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });
    await waitFor('resolved on cancel', async () => (await alertsOf('resolved', id)).find((a) => a.id === open!.id && a.resolution === 'cancelled'));
  });
});
