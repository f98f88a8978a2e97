/**
 * A customer books by typing addresses and picking suggestions, never seeing or typing a coordinate:
 * once with a Nominatim-API geocoder and tiles (local stubs), once with nothing configured.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin } from '../api/support.js';
import { startTestApi, type TestApi } from '../support/harness.js';
import { startNominatimStub, startTileStub, type GeoStub } from '../support/geo-stubs.js';
import { ensureWebBuilt, launchChromium, layoutProblems, newContext, screenshot, signIn } from './support/browser.js';

let browser: Browser;

beforeAll(async () => {
  await ensureWebBuilt();
  browser = await launchChromium();
}, 240_000);
afterAll(() => browser?.close());

/** Anything shaped like a coordinate (four or more decimals) anywhere on the page. */
async function coordinatesShown(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText + ' ' + [...document.querySelectorAll('input')].map((i) => i.value).join(' '));
  return text.match(/-?\d{1,3}\.\d{4,}/g) ?? [];
}

async function pick(page: Page, stop: 'pickup' | 'dropoff', typed: string, option: RegExp): Promise<void> {
  const form = page.getByRole('form', { name: 'Quote request' });
  await form.locator(`#${stop}-address`).pressSequentially(typed, { delay: 30 });
  await form.locator(`#${stop}-address-list`).getByRole('option', { name: option }).click();
  await form.getByTestId(`${stop}-address-picked`).waitFor();
}

async function signedInCustomer(api: TestApi): Promise<Page> {
  const account = await registerAndLogin(api.url, 'Addie Address');
  const { page, errors } = await newContext(browser, api.url, { viewport: { width: 1280, height: 1000 } });
  page.on('close', () => expect(errors).toEqual([]));
  await signIn(page, account.email, account.password, '/customer');
  return page;
}

async function getQuote(page: Page): Promise<string> {
  const form = page.getByRole('form', { name: 'Quote request' });
  await form.getByLabel('Weight (kg)').fill('3');
  await form.getByRole('button', { name: 'Get a quote' }).click();
  const quote = page.getByTestId('quote');
  await quote.getByRole('button', { name: 'Accept quote' }).waitFor({ timeout: 60_000 });
  return (await quote.textContent()) ?? '';
}

describe('booking by address with a geocoder and map tiles', () => {
  let api: TestApi;
  let nominatim: GeoStub;
  let tiles: GeoStub;

  beforeAll(async () => {
    [nominatim, tiles] = await Promise.all([startNominatimStub(), startTileStub()]);
    api = await startTestApi({
      GEOCODER_URL: nominatim.url,
      GEOCODER_MIN_INTERVAL_MS: '0',
      MAP_TILE_URL: `${tiles.url}/{z}/{x}/{y}.png`,
      MAP_ATTRIBUTION: '© Stub tiles for tests',
    });
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all([nominatim?.close(), tiles?.close()]);
  });

  it('suggests addresses from part of a street name, draws street tiles to pick on, and books', async () => {
    const page = await signedInCustomer(api);
    const form = page.getByRole('form', { name: 'Quote request' });
    await form.locator('#pickup-address').pressSequentially('torstr', { delay: 30 });
    const list = form.locator('#pickup-address-list');
    await list.getByRole('option', { name: /Torstraße 140/ }).waitFor();
    expect(await list.getByRole('option').count()).toBe(2);
    // A geocoder answered: no note about local-only results.
    await expect(list.getByText(/No address search service/).count()).resolves.toBe(0);
    await screenshot(page, 'address-search');
    await list.getByRole('option', { name: /Torstraße 140/ }).click();
    await form.getByTestId('pickup-address-picked').waitFor();
    expect(nominatim.requests.every((r) => r.query.get('format') === 'jsonv2')).toBe(true);

    await pick(page, 'dropoff', 'sonnenallee', /Sonnenallee 50/);
    // The map to pick on shows street tiles from the configured server, at run time.
    await form.getByRole('button', { name: 'Pick on the map' }).last().click();
    const map = form.getByRole('img', { name: /Map to pick the address/ });
    await map.waitFor();
    await expect.poll(() => map.getAttribute('data-tiles')).toBe('on');
    await expect.poll(() => tiles.requests.filter((r) => r.path.endsWith('.png')).length).toBeGreaterThan(2);
    await expect(form.getByText('© Stub tiles for tests').count()).resolves.toBe(1);
    await map.scrollIntoViewIfNeeded();
    await screenshot(page, 'map-with-streets');

    const quote = await getQuote(page);
    expect(quote).toContain('Torstraße 140');
    expect(await coordinatesShown(page)).toEqual([]);
    expect(await layoutProblems(page)).toEqual([]);
    await page.close();
  });

  it('lets a pin be clicked on the map and names the place without showing its coordinates', async () => {
    const page = await signedInCustomer(api);
    const form = page.getByRole('form', { name: 'Quote request' });
    await pick(page, 'pickup', 'skalitzer', /Skalitzer Straße 80/);
    await form.getByRole('button', { name: 'Pick on the map' }).first().click();
    const map = form.getByRole('img', { name: /Map to pick the address/ });
    const box = (await map.boundingBox())!;
    // A click a little north-east of the pin moves it there; the stub geocoder names the new spot.
    await page.mouse.click(box.x + box.width / 2 + 40, box.y + box.height / 2 - 30);
    await expect.poll(() => form.locator('#pickup-address').inputValue()).toMatch(/^near Skalitzer Straße 80/);
    await form.getByTestId('pickup-address-picked').waitFor();
    expect(nominatim.requests.some((r) => r.path === '/reverse')).toBe(true);
    expect(await coordinatesShown(page)).toEqual([]);
    await page.close();
  });
});

describe('booking by address with nothing configured', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  it('suggests the sample places, says results come only from there, and books', async () => {
    const page = await signedInCustomer(api);
    const form = page.getByRole('form', { name: 'Quote request' });
    await form.locator('#pickup-address').pressSequentially('alexander', { delay: 30 });
    const list = form.locator('#pickup-address-list');
    await list.getByRole('option', { name: /Sample place.*Alexanderplatz 1/ }).waitFor();
    await expect(list.getByText(/No address search service is set up here/).count()).resolves.toBe(1);
    await screenshot(page, 'address-search-sample-places');
    await list.getByRole('option', { name: /Alexanderplatz 1/ }).click();
    await pick(page, 'dropoff', 'hauptbahnhof', /Europaplatz 1/);
    // Without tiles the map to pick on is the plain grid.
    await form.getByRole('button', { name: 'Pick on the map' }).last().click();
    await expect.poll(() => form.getByRole('img', { name: /Map to pick the address/ }).getAttribute('data-tiles')).toBe('off');

    const quote = await getQuote(page);
    expect(quote).toContain('Alexanderplatz 1');
    // No router either: the distance line says it is an estimate.
    expect(quote).toContain('(estimated)');
    expect(await coordinatesShown(page)).toEqual([]);
    await page.close();
  });

  it('keeps a picked place in the address book under the customer’s own name for it', async () => {
    const page = await signedInCustomer(api);
    const form = page.getByRole('form', { name: 'Quote request' });
    await pick(page, 'pickup', 'kollwitz', /Kollwitzstraße 50/);
    await form.getByRole('button', { name: 'Save to my places' }).click();
    await form.getByLabel('Name for this place').fill('Office');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.getByText('Saved as “Office”.').waitFor();
    await pick(page, 'dropoff', 'offi', /^Saved\s*Office — .*Kollwitzstraße 50/);
    expect(await coordinatesShown(page)).toEqual([]);
    await page.close();
  });

  it('refuses to quote an address that was typed but never picked, and says why', async () => {
    const page = await signedInCustomer(api);
    const form = page.getByRole('form', { name: 'Quote request' });
    await form.locator('#pickup-address').fill('Somewhere I made up 5');
    await pick(page, 'dropoff', 'hauptbahnhof', /Europaplatz 1/);
    await form.getByLabel('Weight (kg)').fill('3');
    await form.getByRole('button', { name: 'Get a quote' }).click();
    await expect.poll(() => form.locator('#pickup-address-err').textContent()).toBe('choose an address from the suggestions, or pick it on the map');
    await expect(page.getByTestId('quote').count()).resolves.toBe(0);
    await page.close();
  });
});
