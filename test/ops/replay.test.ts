/** `npm run replay`: a recorded delivery history replays cleanly against this code; a diverging one is caught. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deliveryBody, env, isolatedArea, login, startTestApi, type TestApi } from '../support/harness.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const replay = (source: string) =>
  run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'replay.ts'), source], { cwd: root, env: { ...process.env, ...env() } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

describe('replaying a delivery history', () => {
  let api: TestApi;
  let workflowId: string;
  let historyJson: Record<string, any>;
  let dir: string;

  beforeAll(async () => {
    api = await startTestApi();
    dir = await mkdtemp(path.join(tmpdir(), 'replay-'));
    const customer = await login(api.url, 'customer@example.com');
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    await call(api.url, 'POST', `/api/v1/deliveries/${created.body.id}/cancel`, { token: customer.token, body: { reason: 'changed my mind' } });
    workflowId = created.body.workflowId;
    const connection = await Connection.connect({ address: env().TEMPORAL_ADDRESS! });
    const client = new Client({ connection, namespace: env().TEMPORAL_NAMESPACE! });
    const handle = client.workflow.getHandle(workflowId);
    await handle.result().catch(() => {});
    historyJson = JSON.parse(historyToJSON(await handle.fetchHistory()));
    await connection.close();
  });
  afterAll(() => api?.close());

  it('replays by workflow id and from an exported JSON file', async () => {
    const byId = await replay(workflowId);
    expect(byId.out).toContain(`replayed ${workflowId}`);
    expect(byId.code).toBe(0);

    const file = path.join(dir, `${workflowId}.json`);
    await writeFile(file, JSON.stringify(historyJson));
    const fromFile = await replay(file);
    expect(fromFile.out).toMatch(/deterministic with the current code/);
    expect(fromFile.code).toBe(0);
  });

  it('fails with the divergence when the history no longer matches the code', async () => {
    const tampered = structuredClone(historyJson);
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
