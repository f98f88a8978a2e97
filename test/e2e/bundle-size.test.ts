/**
 * What each page costs to download: the app shell plus the page's own chunks, gzipped, from the
 * production build's manifest. The driver page works over phone networks and must stay ≤ 100 KB.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, ROOT, WEB_DIST } from './support/browser.js';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const PAGES = ['Login', 'Dispatch', 'Driver', 'Customer', 'Track'] as const;
const DRIVER_BUDGET_BYTES = 100 * 1024;

/** The JS files a chunk needs before it runs: itself and its static imports, transitively. */
function staticClosure(manifest: Manifest, key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the build manifest`);
  if (into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const dep of chunk.imports ?? []) staticClosure(manifest, dep, into);
  return into;
}

function gzippedBytes(files: Set<string>): number {
  let total = 0;
  for (const f of files) if (f.endsWith('.js')) total += gzipSync(readFileSync(path.join(WEB_DIST, f))).length;
  return total;
}

beforeAll(async () => {
  await ensureWebBuilt();
}, 240_000);

describe('web bundle sizes', () => {
  it('loads each page as its own chunk and keeps the driver page within budget', () => {
    const manifest = JSON.parse(readFileSync(path.join(WEB_DIST, '.vite', 'manifest.json'), 'utf8')) as Manifest;
    const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
    expect(entryKey).toBeDefined();
    const shell = staticClosure(manifest, entryKey!);
    const sizes: Record<string, number> = {};
    for (const page of PAGES) {
      const key = `src/pages/${page}.svelte`;
      // Loaded on demand, not part of the shell every page downloads.
      expect(manifest[entryKey!]!.dynamicImports).toContain(key);
      expect(shell.has(manifest[key]!.file)).toBe(false);
      sizes[page] = gzippedBytes(staticClosure(manifest, key, new Set(shell)));
    }
    const report = Object.fromEntries(Object.entries(sizes).map(([p, b]) => [p, `${(b / 1024).toFixed(1)} KB`]));
    console.info('gzipped JS per page (shell included):', report);
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'test-results', 'bundle-sizes.json'), `${JSON.stringify({ gzippedBytes: sizes }, null, 2)}\n`);

    expect(sizes.Driver).toBeLessThanOrEqual(DRIVER_BUDGET_BYTES);
    // Dispatcher-only code (the board, the assistant) stays out of the phone's download.
    const driverFiles = staticClosure(manifest, 'src/pages/Driver.svelte', new Set(shell));
    expect(driverFiles.has(manifest['src/pages/Dispatch.svelte']!.file)).toBe(false);
  });
});
