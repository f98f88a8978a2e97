/**
 * Bulk orders: a 1,000-row CSV with 10 bad rows books 990 deliveries and reports the 10 with reasons;
 * uploaded again, it books none. Progress is live on the organisation's sockets and at GET /imports/:id.
 *
 * 990 delivery workflows each run their first steps (quote recorded, live update, notifications) on the
 * one test worker: on a shared, busy two-core machine the starts took about 3 minutes and the read model
 * caught up after about 7, hence the long timeouts.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerAndLogin, sql } from '../api/support.js';
import { call, isolatedArea, startTestApi, waitFor, type TestApi } from '../support/harness.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';
import { callIn, organizationWith, type Organization } from './support.js';

const HEADER = 'reference,pickup_address,pickup_lat,pickup_lng,dropoff_address,dropoff_lat,dropoff_lng,weight_kg,priority,notes';

/** Lines (1 is the header) and what is wrong with each bad row. */
const BAD: Record<number, { row: (ref: string, a: { lat: number; lng: number }) => string; column: string }> = {
  12: { row: (ref, a) => `${ref},Bakery 1,north,${a.lng},Elm St 14,${a.lat},${a.lng},2,standard,`, column: 'pickup_lat' },
  95: { row: (ref, a) => `${ref},,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},2,standard,`, column: 'pickup_address' },
  150: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},2,standard,"ring\u0001twice"`, column: 'notes' },
  301: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},2,whenever,`, column: 'priority' },
  420: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},-3,standard,`, column: 'weight_kg' },
  512: { row: (_ref, a) => `ORD-00010,Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},2,standard,`, column: 'reference' },
  640: { row: (_ref, a) => `has space,Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},2,standard,`, column: 'reference' },
  777: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},Elm St 14,200,${a.lng},2,standard,`, column: 'dropoff_lat' },
  868: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},Elm St 14,${a.lat},${a.lng},,standard,`, column: 'weight_kg' },
  999: { row: (ref, a) => `${ref},Bakery 1,${a.lat},${a.lng},"Elm St\n14",${a.lat},${a.lng},2,standard,`, column: 'dropoff_address' },
};

function thousandRows(): string {
  const area = isolatedArea();
  const lines = [HEADER];
  for (let line = 2; line <= 1001; line += 1) {
    const ref = `ORD-${String(line).padStart(5, '0')}`;
    const a = { lat: area.lat + (line % 50) * 0.0005, lng: area.lng + (line % 40) * 0.0005 };
    lines.push(BAD[line]?.row(ref, a) ?? `${ref},Bakery ${line},${a.lat},${a.lng},Customer ${line},${a.lat + 0.01},${a.lng + 0.01},${1 + (line % 20)},standard,`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

const upload = (base: string, token: string, csv: string) =>
  call(base, 'POST', '/api/v1/deliveries/import', { token, body: csv, headers: { 'content-type': 'text/csv' } });

describe('bulk import', () => {
  let api: TestApi;
  let worker: ChildService;
  let shop: Organization;
  let key: string;
  let socket: Socket;
  const progress: any[] = [];

  beforeAll(async () => {
    // A thousand workflows at once: on a task queue and worker of their own, so the suites running beside
    // this one are not left waiting behind them in the shared worker.
    const taskQueue = `imports-${randomUUID()}`;
    worker = await startWorkerProcess({ TEMPORAL_TASK_QUEUE: taskQueue });
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: taskQueue });
    shop = await organizationWith(api.url, 1, 'Online Shop');
    const created = await call(api.url, 'POST', `/api/v1/organizations/${shop.id}/api-keys`, { token: shop.owner.token, body: { name: 'erp', scopes: ['deliveries:write', 'deliveries:read'] } });
    key = created.body.key;
    socket = io(api.url, { auth: { token: shop.members[0]!.token, organizationId: shop.id }, transports: ['websocket'] });
    socket.on('import:progress', (p) => progress.push(p));
    await waitFor('member socket', async () => socket.connected);
  });
  afterAll(async () => {
    socket?.close();
    await api?.close();
    await worker?.kill('SIGTERM');
  });

  it('books the 990 good rows of 1,000, reports the 10 bad ones with reasons, and books none twice', async () => {
    const csv = thousandRows();
    const started = Date.now();
    const first = await upload(api.url, key, csv);
    expect(first.status, JSON.stringify(first.body).slice(0, 500)).toBe(202);
    expect(first.body).toMatchObject({ organizationId: shop.id, total: 1000, failed: 10, duplicates: 0 });
    const accepted = Date.now() - started;

    const done = await waitFor('import done', async () => {
      const res = await call(api.url, 'GET', `/api/v1/imports/${first.body.id}`, { token: key });
      return res.body.status === 'done' ? res.body : null;
    }, 1_500_000, 1000);
    const booked = Date.now() - started;
    expect(done).toMatchObject({ total: 1000, created: 990, duplicates: 0, failed: 10, pending: 0 });
    expect(done.errors.map((e: any) => e.line)).toEqual(Object.keys(BAD).map(Number));
    for (const e of done.errors) {
      expect(e.problems.map((p: any) => p.column), `line ${e.line}`).toContain(BAD[e.line]!.column);
      expect(e.problems.every((p: any) => typeof p.message === 'string' && p.message.length > 0)).toBe(true);
    }
    expect(done.errors.find((e: any) => e.line === 150).problems[0].message).toMatch(/control character/);
    expect(done.errors.find((e: any) => e.line === 512).problems[0].message).toMatch(/earlier line/);

    // Live: the organisation's member watched it move and finish.
    await waitFor('final progress on the socket', async () => progress.some((p) => p.id === first.body.id && p.status === 'done'));
    const mine = progress.filter((p) => p.id === first.body.id);
    expect(mine.some((p) => p.status === 'running' && p.created > 0 && p.pending > 0)).toBe(true);
    expect(mine.at(-1)).toMatchObject({ created: 990, pending: 0 });

    const count = async () => Number((await sql('SELECT count(*) AS n FROM deliveries WHERE organization_id = $1', [shop.id]))[0].n);
    await waitFor('990 deliveries in the read model', async () => (await count()) === 990, 600_000, 1000);
    const recorded = Date.now() - started;
    console.info(`[bulk import] 1,000 rows: accepted in ${accepted} ms, 990 workflows started in ${booked} ms, all 990 in the read model after ${recorded} ms`);
    const sample = await call(api.url, 'GET', `/api/v1/deliveries?limit=1`, { token: key });
    expect(sample.body.items[0]).toMatchObject({ organizationId: shop.id, status: 'QUOTED', reference: expect.stringMatching(/^ORD-\d{5}$/) });

    const again = await upload(api.url, key, csv);
    expect(again.status).toBe(202);
    const second = await waitFor('re-upload done', async () => {
      const res = await call(api.url, 'GET', `/api/v1/imports/${again.body.id}`, { token: key });
      return res.body.status === 'done' ? res.body : null;
    }, 120_000, 300);
    expect(second).toMatchObject({ total: 1000, created: 0, duplicates: 990, failed: 10 });
    expect(await count()).toBe(990);
  }, 2_400_000);

  it('shows an import only to its organisation', async () => {
    const other = await organizationWith(api.url, 0, 'Other Shop');
    const outsider = await registerAndLogin(api.url, 'Otto Outsider');
    const small = `${HEADER}\r\nX-1,Bakery 1,52.5,13.4,Elm St 14,52.51,13.41,2,standard,\r\n`;
    const res = await upload(api.url, key, small);
    expect(res.status).toBe(202);
    expect((await callIn(api.url, shop.id, 'GET', `/api/v1/imports/${res.body.id}`, { token: shop.members[0]!.token })).status).toBe(200);
    expectProblem(await callIn(api.url, other.id, 'GET', `/api/v1/imports/${res.body.id}`, { token: other.owner.token }), 404);
    expectProblem(await call(api.url, 'GET', `/api/v1/imports/${res.body.id}`, { token: outsider.token }), 404);
    expectProblem(await call(api.url, 'GET', `/api/v1/imports/${res.body.id}`, { token: shop.owner.token }), 404);
    // An Idempotency-Key covers the file: the same file again is the same import, another file is refused.
    const keyed = (csv: string) => call(api.url, 'POST', '/api/v1/deliveries/import', { token: key, body: csv, headers: { 'content-type': 'text/csv', 'idempotency-key': 'upload-2026-12-04' } });
    const once = await keyed(small);
    expect((await keyed(small)).body.id).toBe(once.body.id);
    expectProblem(await keyed(small.replace('X-1', 'X-2')), 422, 'IDEMPOTENCY_KEY_REUSED');
    // Files the import cannot read as a whole are refused before anything is booked.
    expectProblem(await upload(api.url, key, 'reference,colour\r\nA,red\r\n'), 400, 'VALIDATION_FAILED');
    expectProblem(await call(api.url, 'POST', '/api/v1/deliveries/import', { token: key, body: { rows: [] } }), 415);
    const tooMany = [HEADER, ...Array.from({ length: 1001 }, (_, i) => `R-${i},Bakery 1,52.5,13.4,Elm St 14,52.51,13.41,2,standard,`)].join('\n');
    expectProblem(await upload(api.url, key, tooMany), 400, 'TOO_MANY_ROWS');
    const { key: reader } = (await call(api.url, 'POST', `/api/v1/organizations/${shop.id}/api-keys`, { token: shop.owner.token, body: { name: 'ro', scopes: ['deliveries:read'] } })).body;
    expectProblem(await upload(api.url, reader, small), 403, 'INSUFFICIENT_SCOPE');
  });
});
