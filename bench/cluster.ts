/**
 * B1 and B2 on the production topology (`npm run start:cluster`'s, on free ports): the same HTTP
 * lifecycle as B1, through nginx over HTTPS to two API replicas, on the Temporal cluster on Postgres,
 * first with 2 delivery workers and then with 1 (the second stopped). `npm run bench -- --only B1,B2
 * --cluster` runs these beside the dev-server figures.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startCluster, type Cluster } from '../scripts/lib/cluster/cluster.js';
import { freeClusterPorts } from '../scripts/lib/cluster/free-ports.js';
import { logSink } from '../scripts/lib/cluster/supervisor.js';
import { prepareLifecycle, runLifecycle, Tally, warmLifecycle } from './b1-lifecycle.js';
import { ScreenProbe } from './b2-milestone-to-screen.js';
import type { Figure } from './lib/context.js';
import { BENCH_RATE_LIMIT, DEMO_PASSWORD } from './lib/env.js';
import { root } from './lib/processes.js';
import { dropDatabase } from '../db/connection.js';

export const clusterLifecycleFigures: Figure = async (ctx) => {
  const { sizes, log } = ctx;
  // The cluster's certificate is self-signed and made during this run: this process accepts it.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const id = `${Date.now()}_${process.pid}`;
  const postgresUrl = (process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');
  const databases = { app: `logistics_bc_${id}`, temporal: `temporal_bc_${id}`, visibility: `temporal_vis_bc_${id}` };
  const dist = path.join(root, 'dist');
  const sink = logSink({ file: path.join(ctx.dir, 'cluster.log'), quiet: true });
  let cluster: Cluster | undefined;
  try {
    if (!existsSync(path.join(dist, 'scripts', 'start-prod.js'))) throw new Error('the cluster runs dist/: run `npm run build` first');
    cluster = await startCluster({
      root,
      dataDir: path.join(ctx.dir, 'cluster'),
      dist,
      ports: await freeClusterPorts(),
      postgresUrl,
      databases,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: `lpbc${process.pid}`,
      namespace: 'default',
      historyShards: 8,
      vars: { JWT_SECRET: `bench-cluster-secret-${id}-0123456789abcdef0123456789`, LOG_LEVEL: 'warn' },
      demoPassword: DEMO_PASSWORD,
      benchmarkEnv: { RATE_LIMIT_PER_MINUTE: String(BENCH_RATE_LIMIT) },
      log: (line) => log(`cluster: ${line}`),
      sink,
    });
    const apiUrl = cluster.urls.app;
    const setup = await prepareLifecycle(apiUrl, DEMO_PASSWORD, sizes.lanes, ctx.nextAreaOffset(sizes.lanes));
    const probe = await ScreenProbe.open(apiUrl, setup.dispatcher.token);
    const rows = [];
    try {
      await warmLifecycle(setup);
      for (const workers of [2, 1]) {
        if (workers === 1) await cluster.processes.find((p) => p.name === 'worker-2')?.stop();
        log(`B1-cluster: ${sizes.deliveries} deliveries through nginx (2 API replicas), ${workers} delivery worker(s), ${sizes.lanes} at a time`);
        const result = await runLifecycle(setup, sizes.deliveries, new Tally(), workers === 2 ? probe : undefined);
        rows.push({
          id: 'B1',
          name: `lifecycle throughput, cluster, ${workers} worker${workers > 1 ? 's' : ''}`,
          value: `${result.perSecond.toFixed(1)} deliveries/s`,
          baseline: '— (compare B1 on the dev server)',
          ratio: null,
          target: '',
          met: null,
          details: { result },
        });
      }
      const screen = await probe.result();
      const s = screen.fromReturn;
      rows.push({
        id: 'B2',
        name: 'milestone to screen, cluster',
        value: `p50 ${s.p50.toFixed(1)} / p99 ${s.p99.toFixed(1)} / max ${s.max.toFixed(1)} ms${screen.missing ? ` (${screen.missing} missing)` : ''}`,
        baseline: '—',
        ratio: null,
        target: 'p99 ≤ 100 ms',
        met: screen.missing === 0 && s.p99 <= 100,
        details: { screen },
      });
    } finally {
      probe.close();
      await setup.close();
    }
    return rows;
  } finally {
    await cluster?.stop();
    sink.close();
    for (const name of Object.values(databases)) await dropDatabase(`${postgresUrl}/${name}`).catch((err) => log(`dropping ${name}: ${String(err)}`));
  }
};
