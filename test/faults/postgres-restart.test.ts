import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateQuery } from '../../workflows/messages.js';
import { call, loginAs, startTestApi, type Session, type TestApi } from '../support/harness.js';
import { expectContiguousTimeline, temporalClient } from '../support/flow.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { restartPostgres } from '../support/services.js';

describe('fault: Postgres restarts with 20 deliveries in flight', () => {
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    api = await startTestApi();
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(() => api?.close());

  it('retries activities until the read model matches every workflow', async () => {
    const fleet = await startFleet(api.url, customer, dispatcher, 20);
    // Warm the read pool's connections: they all break with the restart and must be replaced.
    const codes = await Promise.all(fleet.map(async (f) => (await call(api.url, 'GET', `/api/v1/deliveries/${f.id}`, { token: dispatcher.token })).body.trackingCode as string));
    await Promise.all(codes.map((code) => call(api.url, 'GET', `/api/v1/track/${code}`)));
    const finishing = fleet.map((flight) => finishDelivery(api.url, flight));
    await new Promise((r) => setTimeout(r, 300));
    await restartPostgres();
    const finished = await Promise.all(finishing);
    expect(finished.map((d) => d.status)).toEqual(fleet.map(() => 'DELIVERED'));

    const client = await temporalClient();
    for (const flight of fleet) {
      const readModel = await expectContiguousTimeline(api.url, dispatcher.token, flight.id);
      const workflow = await client.workflow.getHandle(`delivery-${flight.id}`).query(stateQuery);
      expect({ status: readModel.status, seq: readModel.seq }).toEqual({ status: workflow.status, seq: workflow.seq });
    }
    expect((await call(api.url, 'GET', '/ready')).status).toBe(200);
    // The warmed connections that broke are counted, so DatabaseConnectionLost fires on a restart no request noticed.
    expect(Number(/^database_connections_lost_total (\d+)/m.exec((await call(api.url, 'GET', '/metrics')).body)?.[1] ?? 0)).toBeGreaterThan(0);
    const tracked = await Promise.all(codes.map((code) => call(api.url, 'GET', `/api/v1/track/${code}`)));
    expect(tracked.map((t) => [t.status, t.body.status])).toEqual(codes.map(() => [200, 'DELIVERED']));
  });
});
