import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { OpsProbe } from '../../db/operations-snapshot.js';
import type { ApiMetrics } from '../metrics.js';
import { route, type Resource } from '../route.js';

type Check = 'up' | 'down';

// Behind a load balancer, the answer says which replica gave it.
const instance = `${hostname()}:${process.pid}`;

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

interface OpsDeps {
  database: OpsProbe;
  redis: Redis;
  temporal: Client;
  metrics: ApiMetrics;
}

/** The same probes answer /ready and feed `dependency_up`, so an alert and the orchestrator agree. */
async function checkDependencies(deps: OpsDeps): Promise<Record<'database' | 'redis' | 'temporal', Check>> {
  const [database, redis, temporal] = await Promise.all([
    probe(() => deps.database.ping()),
    probe(() => deps.redis.ping()),
    probe(() => deps.temporal.workflowService.getSystemInfo({})),
  ]);
  return { database, redis, temporal };
}

export function opsRoutes(deps: OpsDeps): Resource {
  return {
    // Probes sit at the root for orchestrators and under the API base for clients of the contract.
    alsoAtRoot: true,
    routes: [
      route({ method: 'get', path: '/health', summary: 'Liveness', roles: 'ops', ok: 200, handler: () => ({ status: 'ok' }) }),
      route({
        method: 'get', path: '/ready', summary: 'Readiness of database, redis and temporal, and which instance (host:pid) answered', roles: 'ops', ok: 200,
        handler: async (ctx) => {
          const checks = await checkDependencies(deps);
          const ready = Object.values(checks).every((c) => c === 'up');
          ctx.status = ready ? 200 : 503;
          return { status: ready ? 'ready' : 'unavailable', instance, ...checks };
        },
      }),
      route({
        method: 'get', path: '/metrics', summary: 'Prometheus metrics', roles: 'ops', ok: 200,
        handler: async (ctx) => {
          const checks = await checkDependencies(deps);
          for (const [dependency, check] of Object.entries(checks)) deps.metrics.dependencyUp.set({ dependency }, check === 'up' ? 1 : 0);
          try {
            const rows = await deps.database.deliveriesByStatus();
            deps.metrics.deliveriesByStatus.reset();
            for (const r of rows) deps.metrics.deliveriesByStatus.set({ status: r.status }, r.n);
          } catch {
            // The database being down must not hide the process metrics.
          }
          ctx.type = deps.metrics.registry.contentType;
          ctx.body = await deps.metrics.registry.metrics();
        },
      }),
    ],
  };
}
