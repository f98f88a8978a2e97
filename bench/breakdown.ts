/**
 * How B3's and B4's time splits across the request path, by subtraction: the same autocannon run against
 * requests that stop earlier and earlier, with the API's CPU time per request. Tracking views are not
 * served from memory here (TRACKING_CACHE_MS=0), so every tracking step shows its query; B3 gives both.
 * `tsx bench/breakdown.ts [seconds] [part of a step's name]` (own scratch environment).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli } from '../scripts/temporal.mjs';
import { prepareLifecycle, warmLifecycle } from './b1-lifecycle.js';
import { DEMO_PASSWORD, prepareDatabase, removeRedisKeys, startStack } from './lib/env.js';
import { login } from './lib/http.js';
import { load } from './lib/load.js';

const seconds = Number(process.argv[2] ?? 5);
const only = process.argv[3]?.toLowerCase() ?? '';
const dir = await mkdtemp(path.join(os.tmpdir(), 'logistics-bench-'));
const db = await prepareDatabase();
const stack = await startStack(await ensureTemporalCli(), 'memory', dir, db, { env: { TRACKING_CACHE_MS: '0' } });
try {
  const setup = await prepareLifecycle(stack.apiUrl, DEMO_PASSWORD, 1, 0);
  await warmLifecycle(setup);
  await setup.close();
  const code = setup.delivered[0]!;
  const drivers = await Promise.all([1, 2, 3, 4].map((n) => login(stack.apiUrl, `driver${n}@example.com`, DEMO_PASSWORD)));
  let next = 0;
  const auth = { setupClient: (c: { setHeaders(h: Record<string, string>): void }) => c.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${drivers[next++ % 4]!.token}` }) };
  const token = drivers[0]!.token;
  // Same header and claims, another signature: verification fails after the HMAC.
  const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
  const ping = JSON.stringify({ lat: 52.52, lng: 13.4, recordedAt: new Date(Date.now() - 60_000).toISOString() });
  const steps: Array<[string, Parameters<typeof load>[0]]> = [
    ['GET /track/not-a-code (404: limiter only)', { url: `${stack.apiUrl}/api/v1/track/not-a-code`, seconds, connections: 50 }],
    ['GET /track/unknown (404: + 1 query)', { url: `${stack.apiUrl}/api/v1/track/0000000000000000`, seconds, connections: 50 }],
    ['GET /track/:code (200: + timeline, position)', { url: `${stack.apiUrl}/api/v1/track/${code}`, seconds, connections: 50 }],
    ['GET /health (middleware only)', { url: `${stack.apiUrl}/health`, seconds, connections: 50 }],
    ['POST location, no token (401)', { url: `${stack.apiUrl}/api/v1/drivers/me/location`, method: 'POST', body: ping, headers: { 'content-type': 'application/json' }, seconds, connections: 50 }],
    ['POST location, forged token (401: JWT check)', { url: `${stack.apiUrl}/api/v1/drivers/me/location`, method: 'POST', body: ping, headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` }, seconds, connections: 50 }],
    ['POST location, bad body (400: + session + limit)', { url: `${stack.apiUrl}/api/v1/drivers/me/location`, method: 'POST', body: '{"lat":1}', seconds, connections: 50, ...auth }],
    ['POST location (202: + buffer + broadcast)', { url: `${stack.apiUrl}/api/v1/drivers/me/location`, method: 'POST', body: ping, seconds, connections: 50, ...auth }],
  ];
  for (const [name, options] of steps.filter(([name]) => name.toLowerCase().includes(only))) {
    await load({ ...options, seconds: 1 });
    const r = await load({ ...options, pid: stack.api.pid });
    const total = Object.values(r.statusCodes).reduce((a, b) => a + b, 0);
    const cpu = `${String(Math.round(r.cpuMicros ?? NaN)).padStart(4)} µs CPU/req`;
    console.log(`${name.padEnd(50)} ${String(Math.round(total / options.seconds!)).padStart(6)} req/s  ${cpu}  p50 ${r.p50} ms  p99 ${r.p99} ms  codes ${JSON.stringify(r.statusCodes)}`);
  }
} finally {
  await stack.stop();
  await db.drop();
  await removeRedisKeys();
  await rm(dir, { recursive: true, force: true });
}
