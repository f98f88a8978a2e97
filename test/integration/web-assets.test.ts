import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, WEB_DIST } from '../e2e/support/browser.js';
import { startTestApi, type TestApi } from '../support/harness.js';

describe('serving the web app', () => {
  let api: TestApi;

  beforeAll(async () => {
    await ensureWebBuilt();
    api = await startTestApi();
  }, 240_000);
  afterAll(() => api?.close());

  it('sends precompressed pages and scripts, and lets browsers keep hashed assets', async () => {
    const page = await fetch(`${api.url}/driver`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-encoding')).toBe('gzip');
    expect(page.headers.get('cache-control')).toContain('max-age=0');
    expect(await page.text()).toContain('<div id="app"');

    const script = readdirSync(`${WEB_DIST}/assets`).find((f) => f.endsWith('.js'))!;
    const asset = await fetch(`${api.url}/assets/${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);

    const plain = await fetch(`${api.url}/assets/${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });
});
