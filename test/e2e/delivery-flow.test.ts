/**
 * The whole journey in three browsers at once: a customer books and accepts, a driver on a phone takes
 * the job through to a signed delivery, the dispatcher's board follows it live, and the public
 * tracking page ends on DELIVERED with the proof time.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { call, deliveryBody, DEMO_PASSWORD, isolatedArea, login, registerCustomer, waitFor } from '../support/harness.js';
import { createDriver, DESKTOP, drawSignature, layoutProblems, newContext, PHONE, screenshot, signIn } from './support/browser.js';
import { browserTest } from './support/fixtures.js';

/** Pictures the user guides in docs/guides/ show. */
const GUIDE = { guide: true };

// A generous offer window: the driver answers through a real page, not a direct call.
const it = browserTest({ OFFER_TIMEOUT_MS: '60000' });

/** Waits until the board shows the delivery in the column of `status`. */
async function onBoard(page: Page, code: string, status: string): Promise<void> {
  await page.locator(`section.column[data-status="${status}"] [data-tracking-code="${code}"]`).waitFor({ state: 'visible', timeout: 30_000 });
}

describe('a delivery from quote to signed proof, seen by all three parties', () => {
  it('books, dispatches, delivers and tracks live without reloads', async ({ api, browser, dispatcher: dispatcherApi }) => {
    const area = isolatedArea();
    const driverAccount = await createDriver(api.url, dispatcherApi, 'Robin Rider');

    // Dispatcher: the board, opened before anything exists.
    const dispatch = await newContext(browser, api.url, DESKTOP);
    await signIn(dispatch.page, 'dispatcher@example.com', DEMO_PASSWORD(), '/dispatch');
    await dispatch.page.getByText('Live', { exact: true }).waitFor();
    await dispatch.page.evaluate(() => ((window as unknown as { boardStamp: string }).boardStamp = 'loaded-once'));

    // Driver: signs in on a phone, goes on duty and shares the emulated position.
    const driver = await newContext(browser, api.url, {
      ...PHONE,
      geolocation: { latitude: area.lat, longitude: area.lng, accuracy: 10 },
      permissions: ['geolocation'],
    });
    await signIn(driver.page, driverAccount.email, driverAccount.password, '/driver');
    await driver.page.getByRole('button', { name: 'On duty' }).click();
    await expect.poll(() => driver.page.getByRole('button', { name: 'On duty' }).getAttribute('aria-pressed')).toBe('true');
    await waitFor('driver position saved', async () => {
      const list = await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcherApi.token });
      return list.body.items?.find((d: any) => d.id === driverAccount.driverId && d.onDuty && d.position);
    });

    // Customer: creates an account, asks for a quote near the driver.
    const customer = await newContext(browser, api.url, { viewport: { width: 1280, height: 900 } });
    await customer.page.goto('/login');
    await customer.page.getByRole('button', { name: 'Create an account' }).click();
    await customer.page.getByLabel('Your name').fill('Casey Customer');
    const customerEmail = `casey-${Date.now()}@example.com`;
    await customer.page.getByLabel('E-mail').fill(customerEmail);
    await customer.page.getByLabel('Password').fill('a-long-enough-password');
    await customer.page.getByRole('button', { name: 'Create account' }).click();
    await customer.page.waitForURL((url) => url.pathname === '/customer');
    // Their address book holds both stops, placed near this test's driver.
    const customerApi = await login(api.url, customerEmail, 'a-long-enough-password');
    for (const place of [
      { label: 'Bakery', address: 'Bakery, 5th Avenue 1', lat: area.lat + 0.001, lng: area.lng + 0.001 },
      { label: 'Maria', address: 'Elm St 14', lat: area.lat + 0.02, lng: area.lng + 0.02 },
    ]) {
      expect((await call(api.url, 'POST', '/api/v1/places', { token: customerApi.token, body: place })).status).toBe(201);
    }
    // The free-text box drafts the form (rule-based here: no model is configured in tests).
    await customer.page.getByLabel('Delivery request in your own words').fill('12 kg, 3 boxes from Bakery, 5th Avenue 1 to Elm St 14, express please');
    await customer.page.getByRole('button', { name: 'Fill the form from this' }).click();
    await customer.page.getByText(/^Filled in by the rule-based reader/).waitFor();
    const form = customer.page.getByRole('form', { name: 'Quote request' });
    await expect(form.getByLabel('Weight (kg)').inputValue()).resolves.toBe('12');
    for (const [stop, typed] of [['pickup', 'Bakery, 5th'], ['dropoff', 'Elm St']] as const) {
      await form.locator(`#${stop}-address`).fill(typed);
      await form.locator(`#${stop}-address-list`).getByRole('option', { name: /^Saved/ }).first().click();
      await form.getByTestId(`${stop}-address-picked`).waitFor();
    }
    await form.locator('#pickup-contact').fill('Pat Baker');
    await form.locator('#dropoff-contact').fill('Maria Lopez');
    await form.getByLabel('Weight (kg)').fill('12');
    await form.getByLabel('What is it?').fill('3 boxes');
    await form.getByRole('button', { name: 'Get a quote' }).click();
    const quote = customer.page.getByTestId('quote');
    await quote.getByRole('button', { name: 'Accept quote' }).waitFor();
    await expect(quote.getByTestId('quote-total').textContent()).resolves.toMatch(/€|EUR/);
    await expect(quote.getByRole('timer').textContent()).resolves.toMatch(/^\s*\d+:\d\d\s*$/);
    const trackLink = customer.page.getByTestId('my-delivery').first().getByRole('link', { name: /^Track / });
    const code = ((await trackLink.textContent()) ?? '').replace('Track', '').trim();
    expect(code).toMatch(/^[0-9A-Z]{16}$/);
    await screenshot(customer.page, 'customer-quote', GUIDE);
    expect(await layoutProblems(customer.page)).toEqual([]);
    await onBoard(dispatch.page, code, 'QUOTED');

    await quote.getByRole('button', { name: 'Accept quote' }).click();
    await onBoard(dispatch.page, code, 'DISPATCHING');

    // The public page, anonymous, follows from here on.
    const tracking = await newContext(browser, api.url, { viewport: { width: 390, height: 844 }, isMobile: true });
    await tracking.page.goto(`/track/${code}`);
    await tracking.page.getByTestId('tracking-status').waitFor();

    // The offer reaches the phone live; the driver walks the job through the milestones.
    const offer = driver.page.getByTestId('offer');
    await offer.getByRole('button', { name: 'Accept' }).waitFor();
    await screenshot(driver.page, 'driver-offer', GUIDE);
    await offer.getByRole('button', { name: 'Accept' }).click();
    await onBoard(dispatch.page, code, 'ASSIGNED');
    const job = driver.page.getByTestId('job');
    await job.getByRole('button', { name: 'Arrived at pickup' }).click();
    await onBoard(dispatch.page, code, 'AT_PICKUP');
    await job.getByRole('button', { name: 'Picked up' }).click();
    await job.getByLabel(/^Handed over by/).fill('Pat Baker');
    await job.getByRole('button', { name: 'Confirm pickup' }).click();
    await onBoard(dispatch.page, code, 'IN_TRANSIT');
    // Under way, the public page shows the driver on the map.
    await tracking.page.locator('[data-testid="tracking-status"][data-status="IN_TRANSIT"]').waitFor();
    await tracking.page.getByRole('img', { name: "Map with your driver's position" }).waitFor();
    await screenshot(tracking.page, 'tracking-in-transit', GUIDE);
    // The phone travels to the door: a tap far from its stop would be flagged for the dispatcher.
    await driver.context.setGeolocation({ latitude: area.lat + 0.02, longitude: area.lng + 0.02, accuracy: 10 });
    await waitFor('the driver at the door', async () => {
      const list = await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcherApi.token });
      return list.body.items?.find((d: any) => d.id === driverAccount.driverId && Math.abs(d.position?.lat - (area.lat + 0.02)) < 0.001);
    });
    await job.getByRole('button', { name: 'Arrived at drop-off' }).click();
    await onBoard(dispatch.page, code, 'AT_DROPOFF');
    await expect(driver.page.locator('[data-testid="job"][data-status="AT_DROPOFF"]').count()).resolves.toBe(1);
    // Only what the transition table allows at the door: deliver or report a failure.
    await expect(job.getByRole('button').allTextContents()).resolves.toEqual(['Delivered', 'Delivery failed']);

    await job.getByRole('button', { name: 'Delivered' }).click();
    await job.getByLabel('Received by').fill('Maria Lopez');
    await drawSignature(driver.page);
    await job.getByText('Signed.').waitFor();
    await screenshot(driver.page, 'driver-job', GUIDE);
    expect(await layoutProblems(driver.page)).toEqual([]);
    await job.getByRole('button', { name: 'Confirm delivery' }).click();
    await onBoard(dispatch.page, code, 'DELIVERED');
    await driver.page.getByText('All synced').waitFor();

    // The board moved column by column on live events alone.
    expect(await dispatch.page.evaluate(() => (window as unknown as { boardStamp?: string }).boardStamp)).toBe('loaded-once');
    // Orders nobody can take yet, in an area without drivers: they wait on the board and raise alerts live.
    const elsewhere = isolatedArea();
    const other = await registerCustomer(api.url, 'Other Customer');
    const waitingCodes: string[] = [];
    for (const autoAccept of [false, true, true]) {
      const res = await call(api.url, 'POST', '/api/v1/deliveries', { token: other.token, body: deliveryBody(elsewhere, { autoAccept }) });
      expect(res.status).toBe(201);
      if (autoAccept) waitingCodes.push(res.body.trackingCode);
    }
    await dispatch.page.locator('.alert[data-kind="no_candidates"]').first().waitFor();
    // Other test files share the database, so only this test's orders are counted.
    const dispatching = (c: string) => dispatch.page.locator(`section.column[data-status="DISPATCHING"] [data-tracking-code="${c}"]`).count();
    await expect.poll(async () => (await Promise.all(waitingCodes.map(dispatching))).reduce((a, b) => a + b, 0)).toBe(2);

    await dispatch.page.locator(`[data-tracking-code="${code}"]`).click();
    const detail = dispatch.page.getByTestId('delivery-detail');
    await detail.getByText(/^Received by Maria Lopez ·/).waitFor();
    await detail.getByRole('img', { name: 'Signature given as proof' }).waitFor();
    await expect(detail.getByRole('link', { name: 'Open in Temporal UI' }).getAttribute('href')).resolves.toMatch(/\/workflows\/delivery-/);
    await screenshot(dispatch.page, 'dispatch', GUIDE);
    expect(await layoutProblems(dispatch.page)).toEqual([]);

    // The assistant answers from live operations (its rule-based fallback without a model).
    await dispatch.page.getByRole('tab', { name: 'Assistant' }).click();
    await dispatch.page.getByLabel('Ask about live operations').fill('How many deliveries are waiting for a driver?');
    await dispatch.page.getByRole('button', { name: 'Ask' }).click();
    await dispatch.page.getByText('Source: rule-based summary (no model)').waitFor();

    // Tracking ends on DELIVERED with the time the proof was taken.
    await tracking.page.locator('[data-testid="tracking-status"][data-status="DELIVERED"]').waitFor();
    const delivered = await call(api.url, 'GET', `/api/v1/track/${code}`);
    const proofTime = tracking.page.getByTestId('proof-time');
    await expect(proofTime.locator('time').getAttribute('datetime')).resolves.toBe(delivered.body.proof.at);
    await expect(proofTime.textContent()).resolves.toContain('received by Maria');
    await screenshot(tracking.page, 'tracking', GUIDE);
    expect(await layoutProblems(tracking.page)).toEqual([]);

    // Each milestone happened once, in order, and the signature reached the server.
    const list = await call(api.url, 'GET', `/api/v1/deliveries?q=${code}`, { token: dispatcherApi.token });
    const full = await call(api.url, 'GET', `/api/v1/deliveries/${list.body.items[0].id}`, { token: dispatcherApi.token });
    const steps = full.body.timeline.map((e: any) => e.type).filter((t: string) => !['offer_sent', 'ai'].includes(t));
    expect(steps).toEqual(['quoted', 'quote_accepted', 'assigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered']);
    expect(full.body.proof).toMatchObject({ recipientName: 'Maria Lopez', signatureId: expect.any(String) });
    expect(full.body.driver.id).toBe(driverAccount.driverId);

    // Manual dispatch: one waiting order goes to Robin through the picker, then is cancelled with a reason.
    await dispatch.page.getByRole('tab', { name: 'Drivers & map' }).click();
    const waitingCode = waitingCodes[0]!;
    await dispatch.page.locator(`section.column[data-status="DISPATCHING"] [data-tracking-code="${waitingCode}"]`).click();
    const picker = detail.getByRole('group', { name: 'Assign a driver' });
    await picker.getByLabel('Robin Rider').check();
    await screenshot(dispatch.page, 'dispatch-assign', GUIDE);
    await detail.getByRole('button', { name: 'Assign', exact: true }).click();
    await onBoard(dispatch.page, waitingCode, 'ASSIGNED');
    await driver.page.locator('[data-testid="job"][data-status="ASSIGNED"]').waitFor();
    await detail.getByRole('button', { name: 'Cancel delivery' }).click();
    await detail.getByLabel('Reason for cancelling').fill('customer called to cancel');
    await detail.getByRole('button', { name: 'Confirm cancellation' }).click();
    await detail.getByText('by dispatcher: customer called to cancel').waitFor();
    await driver.page.getByText(/was taken off your list/).waitFor();
    await expect(driver.page.getByTestId('job').count()).resolves.toBe(0);

    // Every page also fits a phone and a wide desktop screen.
    for (const [party, size, name] of [
      [dispatch, { width: 375, height: 812 }, 'dispatch-375'],
      [customer, { width: 375, height: 812 }, 'customer-375'],
      [driver, { width: 1440, height: 900 }, 'driver-1440'],
      [tracking, { width: 1440, height: 900 }, 'tracking-1440'],
    ] as const) {
      await party.page.setViewportSize(size);
      await screenshot(party.page, name);
      expect(await layoutProblems(party.page), party.page.url()).toEqual([]);
    }

    for (const party of [dispatch, driver, customer, tracking]) expect(party.errors).toEqual([]);
  }, 240_000);
});
