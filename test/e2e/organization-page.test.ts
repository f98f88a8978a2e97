/**
 * The organisation page: an owner creates the organisation, invites a member and makes a key (shown
 * once); the key books a delivery that the member sees arrive live on the customer page while an
 * outsider gets 404; the key is revoked from the page; a CSV import shows its progress and refused rows.
 */
import { describe, expect } from 'vitest';
import { expectProblem, registerAndLogin } from '../api/support.js';
import { call, deliveryBody, isolatedArea } from '../support/harness.js';
import { newContext, screenshot, signIn } from './support/browser.js';
import { browserTest } from './support/fixtures.js';

const it = browserTest();

describe('organisation page', () => {
  it('runs a shop: members, a key shown once and revoked, a live booking, and a CSV import', async ({ api, browser }) => {
    const [owner, member, outsider] = await Promise.all([registerAndLogin(api.url, 'Olive Owner'), registerAndLogin(api.url, 'Mel Member'), registerAndLogin(api.url, 'Otto Outsider')]);

    const { page, errors } = await newContext(browser, api.url, { viewport: { width: 1280, height: 900 } });
    await signIn(page, owner.email, owner.password, '/customer');
    await page.getByRole('link', { name: 'Organisation' }).click();
    await page.getByLabel('New organisation').fill('Corner Bakery');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Members of Corner Bakery' }).waitFor();
    expect(await page.getByTestId('organization-picker').inputValue()).toMatch(/^[0-9a-f-]{36}$/);

    await page.getByLabel('Invite by e-mail').fill(member.email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = (await page.getByTestId('revealed-value').textContent())!.trim();
    const token = /invite=(inv_[\w-]+)/.exec(link)![1]!;

    // The member follows the link, signed in: the page accepts it and switches to the organisation.
    const memberView = await newContext(browser, api.url, { viewport: { width: 1280, height: 900 } });
    await signIn(memberView.page, member.email, member.password, '/customer');
    await memberView.page.goto(`/organization#invite=${token}`);
    await memberView.page.getByRole('heading', { name: 'Members of Corner Bakery' }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByTestId('members').textContent()).toContain(member.email);

    await page.getByLabel('Key name').fill('shop backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('revealed-value').textContent())!.trim();
    expect(key).toMatch(/^lpk_/);
    await expect.poll(() => page.getByTestId('api-keys').textContent()).toContain('shop backend');
    expect(await page.getByTestId('api-keys').textContent()).not.toContain(key);
    await screenshot(page, 'organization-key-shown-once');

    // The member watches the customer page while the shop's software books.
    await memberView.page.getByRole('link', { name: 'My deliveries' }).click();
    await memberView.page.getByText('Booking for your organisation').waitFor();
    const before = await memberView.page.getByTestId('my-delivery').count();
    const booked = await call(api.url, 'POST', '/api/v1/deliveries', { token: key, body: deliveryBody(isolatedArea()) });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    await memberView.page.getByRole('link', { name: `Track ${booked.body.trackingCode}` }).waitFor({ timeout: 30_000 });
    expect(await memberView.page.getByTestId('my-delivery').count()).toBe(before + 1);
    expectProblem(await call(api.url, 'GET', `/api/v1/deliveries/${booked.body.id}`, { token: outsider.token }), 404);
    await screenshot(memberView.page, 'organization-member-sees-booking');

    // Revoked from the page: refused at once.
    await page.getByTestId('api-keys').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('[data-revoked="yes"]').waitFor();
    expectProblem(await call(api.url, 'GET', '/api/v1/deliveries', { token: key }), 401);

    // A small import: two good rows and one refused, with its reason.
    const csv = [
      'reference,pickup_address,pickup_lat,pickup_lng,dropoff_address,dropoff_lat,dropoff_lng,weight_kg',
      'WEB-1,Bakery 1,52.52,13.40,Elm St 14,52.53,13.41,2',
      'WEB-2,Bakery 1,52.52,13.40,Oak St 3,52.54,13.42,3',
      'WEB-3,Bakery 1,52.52,13.40,Ash St 9,52.55,13.43,heavy',
    ].join('\n');
    await page.locator('input[name="csv"]').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('[data-testid="import"][data-status="done"]').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('import-counts').textContent()).toContain('2 booked');
    expect(await page.getByTestId('import-errors').textContent()).toMatch(/4\s*WEB-3\s*weight_kg is not a number/);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await screenshot(page, 'organization-import');

    expect(errors).toEqual([]);
    expect(memberView.errors).toEqual([]);
    await memberView.context.close();
  }, 300_000);
});
