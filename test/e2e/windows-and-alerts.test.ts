/**
 * The pages of windows, alerts and codes: an alert raised with no page open is on the board after a
 * reload (count in the tab title); a customer books tomorrow's slot with the picker and it waits in the
 * Scheduled column; the driver's card shows the window with a countdown and asks for the code.
 */
import type { Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { bookAndAccept, expectMilestone, waitForOffer } from '../support/flow.js';
import { call, createDriverAt, DEMO_PASSWORD, deliveryBody, isolatedArea, registerCustomer, waitFor, waitForDelivery } from '../support/harness.js';
import { DESKTOP, drawSignature, newContext, PHONE, screenshot, signIn } from './support/browser.js';
import { browserTest } from './support/fixtures.js';

const it = browserTest({ OFFER_TIMEOUT_MS: '60000' });

/** Whether the count beside the alerts and the one in the tab title both equal the alerts listed. */
async function shownCounts(page: Page): Promise<{ ok: boolean; count?: number; listed?: number; title?: string }> {
  const [count, listed, title] = await Promise.all([page.getByTestId('alert-count').textContent(), page.locator('[data-testid="alert"]').count(), page.title()]);
  const titled = Number(/^\((\d+)\) /.exec(title)?.[1] ?? 0);
  return Number(count) === listed && titled === listed ? { ok: true } : { ok: false, count: Number(count), listed, title };
}

describe('windows, alerts and codes in the pages', () => {
  it('shows an alert raised while no page was open, counts it in the tab title, and drops it once acknowledged', async ({ api, browser, dispatcher }) => {
    const customer = await registerCustomer(api.url);
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) });
    const code = created.body.trackingCode as string;
    await waitFor('the alert in the read model', async () => {
      const items = (await call(api.url, 'GET', `/api/v1/alerts?state=open&deliveryId=${created.body.id}`, { token: dispatcher.token })).body.items as any[];
      return items.find((a) => a.deliveryId === created.body.id);
    });

    const { page, errors, context } = await newContext(browser, api.url, DESKTOP);
    await signIn(page, 'dispatcher@example.com', DEMO_PASSWORD(), '/dispatch');
    const ours = page.locator('[data-testid="alert"]', { hasText: code.slice(0, 8) });
    await ours.waitFor();
    await page.reload();
    await ours.waitFor();
    await expect.poll(() => page.title()).toMatch(/^\(\d+\) Dispatch/);
    await screenshot(page, 'dispatch-open-alerts');
    await ours.getByRole('button', { name: 'Acknowledge alert' }).click();
    await expect.poll(() => ours.count()).toBe(0);
    // Other tests raise alerts meanwhile, so the count is checked against the list it counts, not a number read before.
    await expect.poll(() => shownCounts(page)).toEqual({ ok: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('books tomorrow 9–11 with the picker; the board shows it in the Scheduled column', async ({ api, browser }) => {
    const customer = await newContext(browser, api.url, DESKTOP);
    await signIn(customer.page, 'customer@example.com', DEMO_PASSWORD(), '/customer');
    const form = customer.page.getByRole('form', { name: 'Quote request' });
    // No geocoder here: the demo city's sample places are what the address search offers.
    for (const [stop, typed, place] of [['pickup', 'alexander', /Alexanderplatz 1/], ['dropoff', 'hauptbahnhof', /Europaplatz 1/]] as const) {
      await form.locator(`#${stop}-address`).pressSequentially(typed, { delay: 30 });
      await form.locator(`#${stop}-address-list`).getByRole('option', { name: place }).first().click();
      await form.getByTestId(`${stop}-address-picked`).waitFor();
    }
    await form.getByLabel('Weight (kg)').fill('3');
    await form.getByRole('radio', { name: 'Tomorrow' }).check();
    await form.getByLabel('Pickup from').fill('09:00');
    await form.getByLabel('until').fill('11:00');
    await form.getByRole('checkbox', { name: /delivery code/ }).check();
    await screenshot(customer.page, 'customer-window-picker');
    await form.getByRole('button', { name: 'Get a quote' }).click();
    const quote = customer.page.getByTestId('quote');
    await quote.getByRole('button', { name: 'Accept quote' }).click();
    const mine = customer.page.locator('[data-testid="my-delivery"][data-status="SCHEDULED"]').first();
    await mine.waitFor();
    await expect(mine.getByTestId('my-window').textContent()).resolves.toMatch(/Pickup \w{3} 09:00–11:00/);
    await expect(mine.getByTestId('delivery-code').textContent()).resolves.toMatch(/[0-9]{6}/);
    const code = ((await mine.getByRole('link', { name: /^Track / }).textContent()) ?? '').replace(/^Track /, '').trim();
    await screenshot(customer.page, 'customer-scheduled');

    const dispatch = await newContext(browser, api.url, DESKTOP);
    await signIn(dispatch.page, 'dispatcher@example.com', DEMO_PASSWORD(), '/dispatch');
    const card = dispatch.page.locator(`section.column[data-status="SCHEDULED"] [data-tracking-code="${code}"]`);
    await card.waitFor();
    await expect(card.getByTestId('card-window').textContent()).resolves.toMatch(/pickup \w{3} 09:00–11:00 · dispatch in/);
    await dispatch.page.getByLabel('Window').selectOption('tomorrow');
    await card.waitFor();
    await dispatch.page.getByLabel('Window').selectOption('none');
    await expect.poll(() => card.count()).toBe(0);
    await dispatch.page.getByLabel('Window').selectOption('');
    await card.click();
    await dispatch.page.getByTestId('detail-pickup-window').waitFor();
    await screenshot(dispatch.page, 'dispatch-scheduled-column');
    expect([...customer.errors, ...dispatch.errors]).toEqual([]);
    await Promise.all([customer.context.close(), dispatch.context.close()]);
  });

  it("shows the driver the window with a countdown, and won't hand over without the code", async ({ api, browser, dispatcher }) => {
    const area = isolatedArea();
    const password = `pw-${randomUUID()}`;
    const driverApi = await createDriverAt(api.url, dispatcher, area, { name: 'Wanda Window', password });
    const customer = await registerCustomer(api.url);
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
    const id = await bookAndAccept(api.url, customer, area, {
      requireCode: true,
      pickupWindow: { from: soon(-600_000), to: soon(3600_000) },
      dropoffWindow: { from: soon(0), to: soon(3 * 3600_000) },
    });
    await waitForOffer(api.url, dispatcher.token, id, driverApi);
    await expectMilestone(api.url, driverApi, id, 'accept_offer', 'ASSIGNED');
    await expectMilestone(api.url, driverApi, id, 'arrived_pickup', 'AT_PICKUP');
    await expectMilestone(api.url, driverApi, id, 'picked_up', 'IN_TRANSIT', { proof: { recipientName: 'Pat Baker' } });
    await expectMilestone(api.url, driverApi, id, 'arrived_dropoff', 'AT_DROPOFF');
    const deliveryCode = (await call(api.url, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token })).body.deliveryCode as string;

    const { page, errors, context } = await newContext(browser, api.url, PHONE);
    await signIn(page, driverApi.user.email, password, '/driver');
    const job = page.getByTestId('job');
    await expect(job.getByTestId('job-window').textContent()).resolves.toMatch(/Window .*closes in (\d+ h \d\d min|\d+:\d\d)/);
    await job.getByTestId('code-needed').waitFor();
    await job.getByRole('button', { name: 'Delivered' }).click();
    await job.getByLabel('Received by').fill('Maria Lopez');
    await drawSignature(page);
    await job.getByText('Signed.').waitFor();
    await job.getByRole('button', { name: 'Confirm delivery' }).click();
    await job.getByText('Still needed: the delivery code.').waitFor();
    await screenshot(page, 'driver-code-needed');
    expect(await page.content()).not.toContain(deliveryCode);
    await job.getByLabel(/^Delivery code from the recipient/).fill(deliveryCode);
    await job.getByRole('button', { name: 'Confirm delivery' }).click();
    await waitForDelivery(api.url, dispatcher.token, id, (d) => d.status === 'DELIVERED' && d.proof?.otpVerified === true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
