/**
 * Finding 4 in a real browser: every page runs under its Content-Security-Policy, the refresh token is
 * out of script's reach (an httpOnly cookie, nothing in storage or document.cookie), and a reload signs
 * back in from the cookie.
 */
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../support/harness.js';
import { DESKTOP, newContext, signIn } from './support/browser.js';
import { browserTest } from './support/fixtures.js';

const it = browserTest();

it('keeps the refresh token where page script cannot read it, under a CSP, and survives a reload', async ({ api, browser }) => {
  const { context, page, errors } = await newContext(browser, api.url, DESKTOP);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const index = await page.goto('/login');
  expect(index!.headers()['content-security-policy']).toMatch(/script-src 'self'/);

  await signIn(page, 'dispatcher@example.com', DEMO_PASSWORD(), '/dispatch');
  await page.getByText('Live', { exact: true }).waitFor();
  const reachable = await page.evaluate(() => ({ cookie: document.cookie, storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) }));
  expect(reachable.cookie).not.toContain('lp_refresh');
  expect(reachable.storage).not.toMatch(/rt_[A-Za-z0-9_-]{20}/);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'lp_refresh');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });

  // A reload keeps no token in memory: the page signs back in from the cookie.
  await page.reload();
  await page.getByText('Live', { exact: true }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/dispatch');

  // Injected markup cannot run script.
  const ran = await page.evaluate(async () => {
    const div = document.createElement('div');
    div.innerHTML = '<img src="x" onerror="window.__injected = 1">';
    document.body.append(div);
    await new Promise((r) => setTimeout(r, 300));
    return (window as unknown as { __injected?: number }).__injected ?? 0;
  });
  expect(ran).toBe(0);
  expect(violations.some((v) => /onerror|inline/i.test(v))).toBe(true);
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);
