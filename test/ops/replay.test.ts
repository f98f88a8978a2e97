/** `npm run replay`: a recorded delivery history replays cleanly against this code; a diverging one is caught. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { book, temporalClient } from '../support/flow.js';
import { call, env, isolatedArea } from '../support/harness.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const replay = (source: string) =>
  run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'replay.ts'), source], { cwd: root, env: { ...process.env, ...env() } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

interface Recorded {
  /** A delivery booked and cancelled, its workflow finished, and its history as `temporal workflow show` exports it. */
  finished: { workflowId: string; historyJson: Record<string, any> };
  dir: string;
}

const it = apiTest().extend<Recorded>({
  finished: [
    async ({ api, customer }, use) => {
      const id = await book(api.url, customer, isolatedArea());
      await call(api.url, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: customer.token, body: { reason: 'changed my mind' } });
      const workflowId = `delivery-${id}`;
      const handle = (await temporalClient()).workflow.getHandle(workflowId);
      await handle.result().catch(() => {});
      await use({ workflowId, historyJson: JSON.parse(historyToJSON(await handle.fetchHistory())) });
    },
    { scope: 'file' },
  ],
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern: none
  dir: [async ({}, use) => use(await mkdtemp(path.join(tmpdir(), 'replay-'))), { scope: 'file' }],
});

describe('replaying a delivery history', () => {
  it('replays by workflow id and from an exported JSON file', async ({ finished, dir }) => {
    const { workflowId, historyJson } = finished;
    const byId = await replay(workflowId);
    expect(byId.out).toContain(`replayed ${workflowId}`);
    expect(byId.code).toBe(0);

    const file = path.join(dir, `${workflowId}.json`);
    await writeFile(file, JSON.stringify(historyJson));
    const fromFile = await replay(file);
    expect(fromFile.out).toMatch(/deterministic with the current code/);
    expect(fromFile.code).toBe(0);
  });

  it('fails with the divergence when the history no longer matches the code', async ({ finished, dir }) => {
    const tampered = structuredClone(finished.historyJson);
    const scheduled = tampered.events.find((e: any) => e.activityTaskScheduledEventAttributes);
    expect(scheduled).toBeDefined();
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'anActivityThisCodeNeverCalls';
    const file = path.join(dir, 'tampered.json');
    await writeFile(file, JSON.stringify(tampered));
    const result = await replay(file);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/replay of .*tampered\.json failed: .*(Determinism|nondetermin)/i);
  });
});
