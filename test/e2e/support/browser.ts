/** Browser tests: the production web build (made once, when stale), Debian's Chromium, and page helpers. */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { call, type Session } from '../../support/harness.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
/** The user guides' pictures: retaken on every run, so the guides show the pages as they are. */
export const GUIDE_IMAGES = path.join(ROOT, 'docs', 'guides', 'img');
const MANIFEST = path.join(WEB_DIST, '.vite', 'manifest.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string, skip: (p: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(MANIFEST).mtimeMs;
  } catch {
    return 0;
  }
}

function sourcesChangedAt(): number {
  const tests = (p: string) => p.endsWith('.test.ts');
  return Math.max(
    newestMtime(path.join(ROOT, 'web', 'src'), tests),
    newestMtime(path.join(ROOT, 'domain'), tests),
    statSync(path.join(ROOT, 'web', 'index.html')).mtimeMs,
    statSync(path.join(ROOT, 'web', 'vite.config.ts')).mtimeMs,
  );
}

/** Builds web/dist when it is missing or older than its sources; one build at a time across test files. */
export async function ensureWebBuilt(): Promise<void> {
  const lock = path.join(tmpdir(), `lp-web-build-${Buffer.from(ROOT).toString('base64url').slice(-24)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left over from a killed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 3 min for the web build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (builtAt() > sourcesChangedAt()) return;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };

/** A context whose page errors fail the test instead of passing unseen. */
export async function newContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, locale: 'en-GB', timezoneId: 'UTC', ...options });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

export async function signIn(page: Page, email: string, password: string, lands: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === lands);
}

/** `guide`: the picture belongs to a user guide (docs/guides/img); others go to test-results. */
export async function screenshot(page: Page, name: string, { guide = false } = {}): Promise<string> {
  const dir = guide ? GUIDE_IMAGES : SCREENSHOTS;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A driver account with a password this test knows, so it can sign in through the page. */
export async function createDriver(base: string, dispatcher: Session, name: string): Promise<{ email: string; password: string; driverId: string }> {
  const email = `driver-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const res = await call(base, 'POST', '/api/v1/drivers', {
    token: dispatcher.token,
    body: { name, email, password, vehicle: { type: 'van', capacityKg: 500 } },
  });
  if (res.status !== 201) throw new Error(`driver create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, password, driverId: res.body.id };
}

/** Strokes a signature across the pad with the mouse. */
export async function drawSignature(page: Page): Promise<void> {
  const pad = page.getByTestId('signature-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  await page.mouse.move(...at(0.1, 0.6));
  await page.mouse.down();
  for (const [fx, fy] of [[0.2, 0.3], [0.3, 0.7], [0.4, 0.3], [0.5, 0.7], [0.6, 0.35], [0.75, 0.6], [0.9, 0.4]] as const) {
    await page.mouse.move(...at(fx, fy), { steps: 4 });
  }
  await page.mouse.up();
}

/**
 * What a tidy, accessible page needs at its size: nothing wider than the screen, and every form
 * control with a name a screen reader can announce.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      // Name the outermost elements that stick out, which is where a fix goes.
      const wide = [...document.body.querySelectorAll<HTMLElement>('*')].filter((el) => el.getBoundingClientRect().right > width + 1);
      const outermost = wide.filter((el) => !wide.includes(el.parentElement!)).slice(0, 3);
      const names = outermost.map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`);
      problems.push(`page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen: ${names.join(', ')}`);
    }
    for (const el of document.querySelectorAll<HTMLElement>('input, select, textarea, button')) {
      if (el.closest('[hidden]') || (el as HTMLInputElement).type === 'hidden') continue;
      const named =
        ((el as HTMLInputElement).labels?.length ?? 0) > 0 ||
        el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby') ||
        (el.tagName === 'BUTTON' && el.textContent?.trim());
      if (!named) problems.push(`${el.tagName.toLowerCase()}#${el.id || '?'} has no accessible name`);
    }
    return problems;
  });
}
