import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, deliveryBody, isolatedArea } from '../support/harness.js';

const it = apiTest();

describe('walking skeleton', () => {
  it('answers /health and /ready with every dependency up', async ({ api }) => {
    expect((await call(api.url, 'GET', '/health')).status).toBe(200);
    const ready = await call(api.url, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: 'up', redis: 'up', temporal: 'up' });
  });

  it('creates a delivery whose workflow is QUOTED and whose read model answers GET', async ({ api, customer }) => {
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'QUOTED', seq: 1, workflowId: `delivery-${created.body.id}` });
    expect(created.body.quote.amountCents).toBeGreaterThan(0);
    expect(created.body.trackingCode).toMatch(/^[0-9A-Z]{16}$/);

    const fetched = await call(api.url, 'GET', `/api/v1/deliveries/${created.body.id}`, { token: customer.token });
    expect(fetched.status).toBe(200);
    expect(fetched.body.status).toBe('QUOTED');
    expect(fetched.body.timeline).toEqual([expect.objectContaining({ seq: 1, type: 'quoted' })]);
  });
});
