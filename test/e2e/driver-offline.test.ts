/**
 * The driver's page through a dead network: a tap made offline waits in IndexedDB, is replayed when the
 * network returns and lands once; a tap whose answer is lost is replayed with the same Idempotency-Key
 * and still lands once.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { call, createDriverAt, deliveryBody, isolatedArea, registerCustomer, waitForDelivery, proofFor } from '../support/harness.js';
import { newContext, PHONE, signIn } from './support/browser.js';
import { browserTest } from './support/fixtures.js';

const it = browserTest({ OFFER_TIMEOUT_MS: '60000' });

const count = (timeline: { type: string }[], type: string) => timeline.filter((e) => e.type === type).length;

describe('driver page offline', () => {
  it('applies a tap made offline exactly once after reconnecting, and one whose answer was lost', async ({ api, browser, dispatcher }) => {
    const area = isolatedArea();
    const password = `pw-${randomUUID()}`;
    const driverApi = await createDriverAt(api.url, dispatcher, area, { name: 'Olli Offline', password });

    // A job already under way: offered, accepted and picked up through the API.
    const customer = await registerCustomer(api.url);
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId === driverApi.user.driverId);
    for (const type of ['accept_offer', 'arrived_pickup', 'picked_up']) {
      const res = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driverApi.token, body: { type, ...proofFor(type) } });
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
    }

    const { context, page, errors } = await newContext(browser, api.url, PHONE);
    await signIn(page, driverApi.user.email, password, '/driver');
    const job = page.getByTestId('job');
    await job.getByRole('button', { name: 'Arrived at drop-off' }).waitFor();

    // Offline: the tap is kept and shown as waiting; the page moves on to the next step by the table.
    await context.setOffline(true);
    await page.getByText('Offline', { exact: true }).waitFor();
    await job.getByRole('button', { name: 'Arrived at drop-off' }).click();
    await page.getByTestId('sync-waiting').getByText('1 waiting to sync').waitFor();
    await job.getByRole('button', { name: 'Delivered' }).waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body.status).toBe('IN_TRANSIT');

    // Back online: replayed once.
    await context.setOffline(false);
    await page.getByText('All synced').waitFor({ timeout: 30_000 });
    const atDoor = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.status === 'AT_DROPOFF');
    expect(count(atDoor.timeline, 'arrived_dropoff')).toBe(1);

    // The next tap reaches the server but its answer is lost: the page must replay it with the same key.
    const sent: { key: string | null; replayed: string | null; status: number }[] = [];
    let dropped = false;
    await page.route('**/api/v1/deliveries/*/milestones', async (route) => {
      const response = await route.fetch();
      sent.push({ key: route.request().headers()['idempotency-key'] ?? null, replayed: response.headers()['idempotent-replayed'] ?? null, status: response.status() });
      if (!dropped) {
        dropped = true;
        await route.abort('connectionreset');
      } else {
        await route.fulfill({ response });
      }
    });
    await job.getByRole('button', { name: 'Delivered' }).click();
    await job.getByLabel('Received by').fill('Door Neighbour');
    await job.getByLabel(/^Photo/).setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: PNG_4x4 });
    await job.getByText('Photo ready.').waitFor();
    await job.getByRole('button', { name: 'Confirm delivery' }).click();
    await page.getByTestId('sync-waiting').waitFor();
    await page.getByText('All synced').waitFor({ timeout: 30_000 });

    expect(sent.length).toBe(2);
    expect(sent[0]!.key).toMatch(/^[0-9a-f]{32}$/);
    expect(sent[1]!.key).toBe(sent[0]!.key);
    expect(sent[1]!.replayed).toBe('true');
    const done = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.status === 'DELIVERED');
    expect(count(done.timeline, 'delivered')).toBe(1);
    expect(done.proof).toMatchObject({ recipientName: 'Door Neighbour', photoId: expect.any(String) });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});

/** A 4×4 PNG, as a camera input would hand over (the page re-encodes it as a JPEG). */
const PNG_4x4 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4UaEBRwzEcQBTUhaBGaoOzwAAAABJRU5ErkJggg==',
  'base64',
);
