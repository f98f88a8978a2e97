/**
 * The customer page: notifications from the queue processors appear, a webhook is added with its secret
 * shown once, and a dead-lettered message is seen with its error and sent again from the page.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../queues/receiver.js';
import { call, deliveryBody, isolatedArea, login, startTestApi, waitFor, type TestApi } from '../support/harness.js';
import { ensureWebBuilt, launchChromium, newContext, screenshot } from './support/browser.js';

let api: TestApi;
let browser: Browser;
let receiver: Receiver;
let healthy = false;

beforeAll(async () => {
  await ensureWebBuilt();
  api = await startTestApi();
  browser = await launchChromium();
  receiver = await startReceiver(() => (healthy ? { status: 200 } : { status: 500, body: 'maintenance' }));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await api?.close();
});

describe('customer page: notifications and webhooks', () => {
  it('shows notifications, adds a webhook, and resends a dead-lettered message', async () => {
    const email = `hook-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'a-long-enough-password';
    expect((await call(api.url, 'POST', '/api/v1/auth/register', { body: { email, password, name: 'Wren Webhook' } })).status).toBe(201);
    const session = await login(api.url, email, password);

    const { page, errors } = await newContext(browser, api.url, { viewport: { width: 1280, height: 900 } });
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/customer');

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    receiver.secret = secret;
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').count()).toBe(0);

    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: session.token, body: deliveryBody(isolatedArea()) });
    expect(created.status).toBe(201);
    const hooks = (await call(api.url, 'GET', '/api/v1/webhooks', { token: session.token })).body.items;
    await waitFor('dead letter', async () => {
      const items = (await call(api.url, 'GET', `/api/v1/webhooks/${hooks[0].id}/deliveries?status=dead`, { token: session.token })).body.items;
      return items.length === 1;
    }, 20_000);

    await page.reload();
    await page.locator('[data-testid="notification"][data-template="quote_ready"]').waitFor();
    await expect.poll(() => page.getByTestId('notification').first().textContent()).toContain(created.body.trackingCode);
    await page.getByText('1 failed').waitFor();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByText('HTTP 500').waitFor();
    await screenshot(page, 'customer-webhooks-dead-letter');

    healthy = true;
    await page.getByRole('button', { name: 'Send again' }).click();
    await waitFor('redelivered', async () => receiver.requests.some((r, i) => i > 0 && r.verified && r.json?.type === 'delivery.quoted' && healthy));
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page.locator('.log li.delivered').waitFor();
    expect(new Set(receiver.ids()).size).toBe(1);
    expect(errors).toEqual([]);
  });
});
