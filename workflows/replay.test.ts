import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const historiesDir = path.join(here, 'histories');

/**
 * Histories recorded from real deliveries (RECORD_HISTORIES=1 with the workflow tests) replayed against
 * the current workflow code: a change that would break a running delivery fails here, not in production.
 */
describe('replay of recorded delivery histories', () => {
  it('replays every fixture without nondeterminism', async () => {
    const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    async function* histories() {
      for (const file of files) {
        yield { workflowId: file.replace(/\.json$/, ''), history: JSON.parse(await readFile(path.join(historiesDir, file), 'utf8')) };
      }
    }
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: path.join(here, 'index.ts') }, histories())) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
