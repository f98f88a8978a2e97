import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect } from 'vitest';
import { ensureWebBuilt, WEB_DIST } from '../e2e/support/browser.js';
import { apiTest } from '../support/fixtures.js';

const it = apiTest();

describe('serving the web app', () => {
  beforeAll(() => ensureWebBuilt(), 240_000);

  it('sends precompressed pages and scripts, and lets browsers keep hashed assets', async ({ api }) => {
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
