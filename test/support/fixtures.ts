/**
 * vitest fixtures for tests that act through the API: name what a test needs and it gets it.
 * Per file: `api` (started on the suite's Postgres, Redis and Temporal, closed after the file), and the
 * demo `admin`, `customer` and `dispatcher`, each signed in once, when a test first asks. Per test: an `area` no other test uses, and a
 * `driver` on duty in it, so every offer there goes to them.
 *
 *   const test = apiTest({ MAX_ATTEMPTS: '2' });
 *   test('…', async ({ api, customer, driver, area }) => { … });
 *
 * A file that needs more adds it with `.extend(...)`. vitest lets an extension replace a fixture only at
 * the same scope, so a customer per test, or a driver per file, takes a name of its own (`newCustomer`).
 */
import { test as base } from 'vitest';
import { createDriverAt, isolatedArea, loginAs, startTestApi, type Session, type TestApi } from './harness.js';

type Area = { lat: number; lng: number };

interface PerFile {
  api: TestApi;
  admin: Session;
  customer: Session;
  dispatcher: Session;
}

interface PerTest {
  area: Area;
  driver: Session;
}

/** The fixtures, with the API started with these environment overrides. */
export function apiTest(overrides: Record<string, string> = {}) {
  return base.extend<PerTest & PerFile>({
    api: [
      // vitest reads a fixture's dependencies from its first parameter's destructuring: this one has none.
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const api = await startTestApi(overrides);
        try {
          await use(api);
        } finally {
          await api.close();
        }
      },
      { scope: 'file' },
    ],
    admin: [async ({ api }, use) => use((await loginAs(api.url, 'admin'))[0]), { scope: 'file' }],
    customer: [async ({ api }, use) => use((await loginAs(api.url, 'customer'))[0]), { scope: 'file' }],
    dispatcher: [async ({ api }, use) => use((await loginAs(api.url, 'dispatcher'))[0]), { scope: 'file' }],
    // eslint-disable-next-line no-empty-pattern
    area: async ({}, use) => use(isolatedArea()),
    driver: async ({ api, dispatcher, area }, use) => use(await createDriverAt(api.url, dispatcher, area)),
  });
}
