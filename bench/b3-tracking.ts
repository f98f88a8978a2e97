/** B3: public tracking reads, GET /api/v1/track/:code at 50 connections, against a minimal Koa + pg handler. */
import { deliveredTrackingCode, ROUNDS } from './b1-lifecycle.js';
import type { Figure } from './lib/context.js';
import { alternate, type LoadResult } from './lib/load.js';
import { freePort } from '../scripts/lib/ports.js';
import { startService, waitUntil } from './lib/processes.js';

const describe = (r: LoadResult) => `${Math.round(r.perSecond)} req/s, p99 ${r.p99} ms, ${Math.round(r.cpuMicros ?? NaN)} µs CPU/req`;

export const trackingFigure: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const code = await deliveredTrackingCode(ctx);
  const path = `/api/v1/track/${code}`;
  const port = await freePort();
  const server = startService('tracking baseline', 'bench/baselines/tracking-server.ts', { env: {}, args: [String(port), ctx.db.url] });
  let measured: { subject: LoadResult; baseline: LoadResult };
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(server, 'health', async () => (await fetch(`${url}/health`)).status === 200);
    for (const base of [stack.apiUrl, url]) {
      const check = await fetch(`${base}${path}`);
      if (check.status !== 200) throw new Error(`GET ${base}${path}: ${check.status} ${await check.text()}`);
    }
    log(`B3: GET /api/v1/track/:code for ${sizes.seconds} s at ${sizes.connections} connections, API and baseline taking turns`);
    const options = { seconds: sizes.seconds, connections: sizes.connections };
    measured = await alternate({ url: `${stack.apiUrl}${path}`, pid: stack.api.pid, ...options }, { url: `${url}${path}`, pid: server.pid, ...options }, ROUNDS);
  } finally {
    await server.stop();
  }
  const { subject, baseline } = measured;
  if (subject.failed || baseline.failed) log(`B3: failed requests — API ${JSON.stringify(subject.statusCodes)}, baseline ${JSON.stringify(baseline.statusCodes)}`);
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
  ];
};
