import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleInChild } from './delivery-worker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundler = path.join(root, 'scripts', 'bundle-workflows.mjs');

describe('bundleInChild', () => {
  it('returns the bundle a child process built from the workflow sources', async () => {
    const code = await bundleInChild(bundler, path.join(root, 'workflows', 'index.ts'));
    expect(code.length).toBeGreaterThan(100_000);
    expect(code).toContain('deliveryWorkflow');
    // The SDK's bundle exports its workflow entry points for the worker's sandbox.
    expect(code).toContain('__TEMPORAL__');
  }, 120_000);

  it('fails with the child’s own error when the sources cannot be bundled', async () => {
    const missing = path.join(root, 'workflows', 'no-such-index.ts');
    await expect(bundleInChild(bundler, missing)).rejects.toThrow(/bundling the workflows \(.*no-such-index\.ts\) failed: .*no-such-index/s);
  }, 120_000);
});
