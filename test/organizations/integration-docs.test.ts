/**
 * docs/INTEGRATION.md's examples, run as written: the curl and TypeScript bookings with a shop's key, and
 * the webhook receiver, which must accept the platform's signed messages and refuse a forged one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, waitFor, type TestApi } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { callIn, organizationWith, type Organization } from './support.js';
import { spawn, type ChildProcess } from 'node:child_process';

const run = promisify(execFile);

/** The fenced block right after `<!-- example: name -->`. */
function example(name: string): string {
  const doc = readFileSync(path.resolve('docs/INTEGRATION.md'), 'utf8');
  const match = new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!match) throw new Error(`no example ${name} in docs/INTEGRATION.md`);
  return match[1]!;
}

describe('docs/INTEGRATION.md examples', () => {
  let api: TestApi;
  let shop: Organization;
  let env: NodeJS.ProcessEnv;
  let receiver: ChildProcess | undefined;
  let received = '';
  const dir = mkdtempSync(path.join(tmpdir(), 'integration-'));

  beforeAll(async () => {
    api = await startTestApi();
    shop = await organizationWith(api.url, 1, 'Corner Bakery');
    const key = await call(api.url, 'POST', `/api/v1/organizations/${shop.id}/api-keys`, {
      token: shop.owner.token, body: { name: 'shop', scopes: ['deliveries:write', 'deliveries:read', 'webhooks:manage'] },
    });
    env = { ...process.env, LOGISTICS_URL: api.url, LOGISTICS_API_KEY: key.body.key };
  });
  afterAll(async () => {
    receiver?.kill();
    await api?.close();
  });

  it('books a delivery with curl, once per Idempotency-Key', async () => {
    const first = JSON.parse((await run('bash', ['-c', example('curl-create')], { env })).stdout);
    expect(first).toMatchObject({ organizationId: shop.id, trackingCode: expect.any(String), quote: { amountCents: expect.any(Number) } });
    const again = JSON.parse((await run('bash', ['-c', example('curl-create')], { env })).stdout);
    expect(again.id).toBe(first.id);
    await waitFor('member sees it', async () => (await callIn(api.url, shop.id, 'GET', `/api/v1/deliveries/${first.id}`, { token: shop.members[0]!.token })).status === 200);
    await callIn(api.url, shop.id, 'POST', `/api/v1/deliveries/${first.id}/cancel`, { token: shop.owner.token, body: { reason: 'example over' } });
  });

  it('verifies the platform’s webhooks with the receiver, and books with the TypeScript example', async () => {
    const code = example('ts-receiver');
    expect(code.split('\n').length).toBeLessThanOrEqual(20);
    const port = await freePort();
    const registered = JSON.parse((await run('bash', ['-c', example('curl-webhook')], { env: { ...env, WEBHOOK_URL: `http://127.0.0.1:${port}/hooks` } })).stdout);
    expect(registered.secret).toMatch(/^whsec_/);
    writeFileSync(path.join(dir, 'receiver.mts'), code);
    receiver = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'receiver.mts')], {
      cwd: process.cwd(), env: { ...env, WEBHOOK_SECRET: registered.secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    receiver.stdout!.on('data', (c: Buffer) => (received += c.toString()));
    receiver.stderr!.on('data', (c: Buffer) => (received += c.toString()));
    await waitFor('receiver listening', async () => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' }).then((r) => r.status === 401, () => false));

    const book = example('ts-create');
    expect(book.split('\n').length).toBeLessThanOrEqual(12);
    writeFileSync(path.join(dir, 'book.mts'), book);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(dir, 'book.mts')], { cwd: process.cwd(), env });
    const delivery = JSON.parse(stdout);
    expect(delivery).toMatchObject({ organizationId: shop.id, status: 'QUOTED' });

    await waitFor('signed message verified by the receiver', async () => received.includes('verified delivery.quoted'), 60_000);
    // A forged signature, and a genuine one replayed with another body, are refused.
    const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      body: JSON.stringify({ type: 'delivery.delivered' }),
    });
    expect(forged.status).toBe(401);
    expect(received).not.toContain('msg_forged');
    await callIn(api.url, shop.id, 'POST', `/api/v1/deliveries/${delivery.id}/cancel`, { token: shop.owner.token, body: { reason: 'example over' } });
  });
});
