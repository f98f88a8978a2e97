import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const guides = path.join(root, 'docs', 'guides');
const read = (file: string) => readFileSync(file, 'utf8');

/** Every picture a browser test takes for the guides: `screenshot(page, 'name', GUIDE)`. */
function guideShots(): Set<string> {
  const dir = path.join(root, 'test', 'e2e');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts'))) {
    for (const match of read(path.join(dir, file)).matchAll(/screenshot\([^,]+,\s*'([^']+)',\s*(?:GUIDE|\{\s*guide:\s*true\s*\})\)/g)) names.add(match[1]!);
  }
  return names;
}

describe('the user guides', () => {
  it('show only pictures the browser tests retake, so none can go stale', () => {
    const shots = guideShots();
    const docs = [...readdirSync(guides).filter((f) => f.endsWith('.md')).map((f) => path.join(guides, f)), path.join(root, 'README.md')];
    const shown = docs.flatMap((file) => [...read(file).matchAll(/\]\((?:docs\/guides\/)?img\/([^)]+)\.png\)/g)].map((m) => m[1]!));
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.filter((name) => !shots.has(name))).toEqual([]);
  });

  it('have a picture committed for every one the tests take', () => {
    const committed = new Set(readdirSync(path.join(guides, 'img')).map((f) => f.replace(/\.png$/, '')));
    expect([...guideShots()].filter((name) => !committed.has(name))).toEqual([]);
  });
});
