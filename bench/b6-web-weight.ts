/**
 * B6: gzipped JavaScript each page loads — the entry chunk and its imports, the page's chunk and its
 * imports, and any chunk the page itself imports lazily — from a fresh production build of web/ into a
 * temporary directory. Baseline: the smallest Svelte 5 page (bench/baselines/web) built the same way.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';
import type { Figure } from './lib/context.js';
import { root } from './lib/processes.js';

interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, Chunk>;

const LIMIT_KB = 100;

async function sizesKb(dir: string, files: Iterable<string>): Promise<{ raw: number; gz: number }> {
  let raw = 0;
  let gz = 0;
  for (const file of files) {
    const bytes = await readFile(path.join(dir, file));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw: raw / 1024, gz: gz / 1024 };
}

/** The JS files reached from `key` through static imports (and, with `lazy`, its own dynamic imports). */
function closure(manifest: Manifest, key: string, lazy: boolean, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  if (chunk.file.endsWith('.js')) into.add(chunk.file);
  for (const next of chunk.imports ?? []) closure(manifest, next, false, into);
  if (lazy) for (const next of chunk.dynamicImports ?? []) closure(manifest, next, false, into);
  return into;
}

async function viteBuild(options: Parameters<typeof build>[0], outDir: string): Promise<Manifest> {
  await build({ ...options, logLevel: 'silent', build: { ...options?.build, outDir, emptyOutDir: true, manifest: true } });
  return JSON.parse(await readFile(path.join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
}

export const webWeightFigure: Figure = async (ctx) => {
  const config = path.join(root, 'web', 'vite.config.ts');
  if (!existsSync(config)) {
    return [{ id: 'B6', name: 'web weight', value: 'no web build (web/vite.config.ts missing)', baseline: '—', ratio: null, target: `driver ≤ ${LIMIT_KB} KB`, met: null }];
  }
  ctx.log('B6: building web/ and the baseline page');
  const webOut = path.join(ctx.dir, 'web-dist');
  const manifest = await viteBuild({ configFile: config }, webOut);
  const baseOut = path.join(ctx.dir, 'baseline-web');
  const baseManifest = await viteBuild(
    { configFile: false, root: path.join(root, 'bench', 'baselines', 'web'), plugins: [svelte()], build: { target: 'es2022' } },
    baseOut,
  );
  const baseEntry = Object.keys(baseManifest).find((k) => baseManifest[k]!.isEntry)!;
  const baseline = (await sizesKb(baseOut, closure(baseManifest, baseEntry, false))).gz;

  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  if (!entry) throw new Error('the web build has no entry chunk');
  const pages: Record<string, number> = {};
  const uncompressed: Record<string, number> = {};
  for (const [key, chunk] of Object.entries(manifest)) {
    const page = /pages\/(\w+)\.svelte$/.exec(chunk.src ?? key)?.[1];
    if (!page || !chunk.isDynamicEntry) continue;
    const files = closure(manifest, entry, false, closure(manifest, key, true));
    const size = await sizesKb(webOut, files);
    pages[page.toLowerCase()] = size.gz;
    uncompressed[page.toLowerCase()] = size.raw;
  }
  const driver = pages.driver;
  const list = Object.entries(pages)
    .sort((a, b) => b[1] - a[1])
    .map(([page, kb]) => `${page} ${kb.toFixed(1)}`)
    .join(', ');
  ctx.log(`B6: gzipped KB per page: ${list} (uncompressed: driver ${uncompressed.driver?.toFixed(1)} KB)`);
  return [
    {
      id: 'B6',
      name: 'web weight',
      value: driver === undefined ? `no driver page (${list})` : `driver ${driver.toFixed(1)} KB gz (largest: ${list.split(', ')[0]} KB)`,
      baseline: `${baseline.toFixed(1)} KB gz (minimal Svelte 5 page)`,
      ratio: driver === undefined ? null : baseline / driver,
      target: `driver ≤ ${LIMIT_KB} KB`,
      met: driver === undefined ? null : driver <= LIMIT_KB,
      details: { pagesKb: pages, uncompressedKb: uncompressed, baselineKb: baseline, gzipLevel: 9 },
    },
  ];
};
