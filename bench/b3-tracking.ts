/**
 * B3: public tracking reads, GET /api/v1/track/:code at 50 connections, against a minimal Koa + pg
 * handler. The API serves a view from memory between changes (TRACKING_CACHE_MS); a second API process
 * with that off gives the figure of a read that queries every time, taking turns with the other two.
 */
import { deliveredTrackingCode, ROUNDS } from './b1-lifecycle.js';
import type { Figure } from './lib/context.js';
import { alternate, type LoadResult } from './lib/load.js';
import { freePort } from '../scripts/lib/ports.js';
import { startService, waitUntil, type Service } from './lib/processes.js';

const describe = (r: LoadResult) => `${Math.round(r.perSecond)} req/s, p99 ${r.p99} ms, ${Math.round(r.cpuMicros ?? NaN)} µs CPU/req`;

export const trackingFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const code = await deliveredTrackingCode(ctx);
  const path = `/api/v1/track/${code}`;
  const [baselinePort, uncachedPort] = [await freePort(), await freePort()];
  const servers: Service[] = [];
  let measured: LoadResult[];
  try {
    servers.push(startService('tracking baseline', 'bench/baselines/tracking-server.ts', { env: {}, args: [String(baselinePort), ctx.db.url] }));
    servers.push(startService('api(uncached)', 'api/server.ts', { env: { ...stack.env, PORT: String(uncachedPort), TRACKING_CACHE_MS: '0' } }));
    const [baseline, uncached] = servers as [Service, Service];
    const urls = { baseline: `http://127.0.0.1:${baselinePort}`, uncached: `http://127.0.0.1:${uncachedPort}` };
    await waitUntil(baseline, 'health', async () => (await fetch(`${urls.baseline}/health`)).status === 200);
    await waitUntil(uncached, 'health', async () => (await fetch(`${urls.uncached}/health`)).status === 200);
    for (const base of [stack.apiUrl, urls.uncached, urls.baseline]) {
      const check = await fetch(`${base}${path}`);
      if (check.status !== 200) throw new Error(`GET ${base}${path}: ${check.status} ${await check.text()}`);
    }
    log(`B3: GET /api/v1/track/:code for ${sizes.seconds} s at ${sizes.connections} connections, API, API without its cache and baseline taking turns`);
    const options = { seconds: sizes.seconds, connections: sizes.connections };
    measured = await alternate([
      { url: `${stack.apiUrl}${path}`, pid: stack.api.pid, ...options },
      { url: `${urls.uncached}${path}`, pid: uncached.pid, ...options },
      { url: `${urls.baseline}${path}`, pid: baseline.pid, ...options },
    ], ROUNDS);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const [subject, uncached, baseline] = measured as [LoadResult, LoadResult, LoadResult];
  if (subject.failed || uncached.failed || baseline.failed) {
    log(`B3: failed requests — API ${JSON.stringify(subject.statusCodes)}, uncached ${JSON.stringify(uncached.statusCodes)}, baseline ${JSON.stringify(baseline.statusCodes)}`);
  }
  const ratio = subject.perSecond / baseline.perSecond;
  return [
    {
      id: 'B3',
      name: 'tracking reads',
      value: describe(subject),
      baseline: `${describe(baseline)} (Koa + pg)`,
      ratio,
      target: '≥ 5,000 req/s, ratio ≥ 0.8',
      met: subject.failed === 0 && subject.perSecond >= 5000 && ratio >= 0.8,
      details: { subject, baseline },
    },
    {
      id: 'B3-uncached',
      name: 'tracking reads, every read a query',
      value: `${describe(uncached)} (TRACKING_CACHE_MS=0)`,
      baseline: `${describe(baseline)} (Koa + pg)`,
      ratio: uncached.perSecond / baseline.perSecond,
      target: '—',
      met: null,
      details: { subject: uncached, baseline },
    },
  ];
};
