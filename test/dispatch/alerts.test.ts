/** Alerts kept in the read model: listed with no page open, acknowledged by someone, resolved by their cause clearing. */
import { io, type Socket } from 'socket.io-client';
import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, deliveryBody, isolatedArea, waitFor, type Session, type TestApi } from '../support/harness.js';

const it = apiTest();

async function alertsOf(api: TestApi, dispatcher: Session, state: string, deliveryId: string) {
  const res = await call(api.url, 'GET', `/api/v1/alerts?state=${state}`, { token: dispatcher.token });
  expect(res.status).toBe(200);
  return (res.body.items as Array<Record<string, any>>).filter((a) => a.deliveryId === deliveryId);
}

/** The delivery's first open alert, once dispatch has raised it. */
async function openAlert(api: TestApi, dispatcher: Session, deliveryId: string) {
  const [open] = await waitFor('the open alert', async () => {
    const items = await alertsOf(api, dispatcher, 'open', deliveryId);
    return items.length > 0 ? items : null;
  });
  return open!;
}

describe('alerts that persist', () => {

  it('lists an alert raised while no page was open, and resolves it when a driver is assigned', async ({ api, customer, dispatcher }) => {
    // Nobody on duty here: dispatch finds no candidates and says so, with no dispatcher connected.
    const area = isolatedArea();
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
    const id = created.body.id as string;
    const open = await openAlert(api, dispatcher, id);
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
        const items = (await alertsOf(api, dispatcher, 'resolved', id)).filter((a) => a.id === open.id);
        return items.length > 0 ? items : null;
      });
      expect(resolved).toMatchObject({ state: 'resolved', resolution: 'driver assigned' });
      expect(await alertsOf(api, dispatcher, 'open', id)).toEqual([]);
      await waitFor('alert:updated on the board', async () => heard.find((a) => a.id === open.id && a.state === 'resolved'));
    } finally {
      board.close();
    }
  });

  it('keeps who acknowledged an alert and when; customers and drivers may not list them', async ({ api, customer, dispatcher }) => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) });
    const id = created.body.id as string;
    const open = await openAlert(api, dispatcher, id);
    const acked = await call(api.url, 'POST', `/api/v1/alerts/${open.id}/acknowledge`, { token: dispatcher.token });
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: { id: dispatcher.user.id, name: dispatcher.user.name } });
    expect(Date.parse(acked.body.acknowledgedAt)).toBeGreaterThan(Date.now() - 60_000);
    const again = await call(api.url, 'POST', `/api/v1/alerts/${open.id}/acknowledge`, { token: dispatcher.token });
    expect(again.body.acknowledgedAt).toBe(acked.body.acknowledgedAt);
    expect((await alertsOf(api, dispatcher, 'acknowledged', id)).map((a) => a.id)).toContain(open.id);
    expect(await alertsOf(api, dispatcher, 'open', id)).toEqual([]);

    expect((await call(api.url, 'GET', '/api/v1/alerts', { token: customer.token })).status).toBe(403);
    expect((await call(api.url, 'POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge', { token: dispatcher.token })).status).toBe(404);
    // Cancelling clears every cause: it resolves, acknowledged or not.
    await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });
    await waitFor('resolved on cancel', async () => (await alertsOf(api, dispatcher, 'resolved', id)).find((a) => a.id === open.id && a.resolution === 'cancelled'));
  });
});
