/**
 * The API fixtures (test/support/fixtures.ts) plus a `browser`: Debian's Chromium, launched once per
 * file when a test first asks, and closed after it. The web build is made (when stale) before the file.
 *
 *   const it = browserTest({ OFFER_TIMEOUT_MS: '60000' });
 *   it('…', async ({ api, browser, dispatcher }) => { … });
 */
import type { Browser } from 'playwright-core';
import { beforeAll } from 'vitest';
import { apiTest } from '../../support/fixtures.js';
import { ensureWebBuilt, launchChromium } from './browser.js';

/** Call once, at the top of a file: it also registers the file's web build. */
export function browserTest(overrides: Record<string, string> = {}) {
  // A hook, not a fixture: a build, or the wait for another file's, may take longer than a test may.
  beforeAll(() => ensureWebBuilt(), 240_000);
  return apiTest(overrides).extend<{ browser: Browser }>({
    browser: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const browser = await launchChromium();
        try {
          await use(browser);
        } finally {
          await browser.close();
        }
      },
      { scope: 'file' },
    ],
  });
}
