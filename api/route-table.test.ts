import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from './route-table.js';
import type { AppState } from './types.js';

/** Routers shaped like the API's: one without a prefix, prefixed ones with their own `use`, params, one prefix another's start. */
function routers(): Array<Router<AppState>> {
  const ops = new Router<AppState>();
  ops.get('/health', (ctx) => void (ctx.body = 'ops:health'));
  ops.get('/api/v1/health', (ctx) => void (ctx.body = 'ops:api-health'));
  const drivers = new Router<AppState>({ prefix: '/api/v1/drivers' });
  drivers.use(async (ctx, next) => {
    ctx.set('x-router', 'drivers');
    await next();
  });
  drivers.get('/', (ctx) => void (ctx.body = 'drivers:list'));
  drivers.post('/me/location', (ctx) => void (ctx.body = 'drivers:location'));
  const deliveries = new Router<AppState>({ prefix: '/api/v1/deliveries' });
  deliveries.get('/:id', (ctx) => void (ctx.body = `deliveries:${ctx.params.id}`));
  deliveries.put('/:id/cancel', (ctx) => void (ctx.body = 'deliveries:cancel'));
  const drive = new Router<AppState>({ prefix: '/api/v1/drive' });
  drive.get('/', (ctx) => void (ctx.body = 'drive'));
  return [ops, drivers, deliveries, drive];
}

async function serve(app: Koa<AppState>): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const REQUESTS: Array<[string, string]> = [
  ['GET', '/health'],
  ['GET', '/api/v1/health'],
  ['GET', '/api/v1/drivers'],
  ['GET', '/api/v1/drivers/'],
  ['GET', '/API/V1/DRIVERS'],
  ['POST', '/api/v1/drivers/me/location'],
  ['POST', '/API/v1/Drivers/Me/Location'],
  ['POST', '/api/v1/drivers/me/location/'],
  ['GET', '/api/v1/drivers/me/location'],
  ['OPTIONS', '/api/v1/drivers/me/location'],
  ['PROPFIND', '/api/v1/drivers/me/location'],
  ['GET', '/api/v1/deliveries/42'],
  ['DELETE', '/api/v1/deliveries/42'],
  ['PUT', '/api/v1/deliveries/42/cancel'],
  ['GET', '/api/v1/deliveries/42/cancel'],
  ['GET', '/api/v1/drive'],
  ['GET', '/api/v1/drivestuff'],
  ['GET', '/api/v1/nothing'],
  ['PROPFIND', '/nothing'],
];

describe('routeTable', () => {
  let mounted: Awaited<ReturnType<typeof serve>>;
  let table: Awaited<ReturnType<typeof serve>>;
  const fallThrough = async (ctx: Koa.Context) => {
    ctx.status = 404;
    ctx.body = 'fell through';
  };

  beforeAll(async () => {
    // The route the metrics are labelled with, and the parameters a handler sees, must not change either.
    const seen: Koa.Middleware = async (ctx, next) => {
      await next();
      ctx.set('x-route', String((ctx as unknown as { _matchedRoute?: string })._matchedRoute));
      ctx.set('x-params', JSON.stringify(ctx.params ?? null));
    };
    const one = new Koa<AppState>();
    one.use(seen);
    for (const router of routers()) one.use(router.routes()).use(router.allowedMethods());
    one.use(fallThrough);
    const other = new Koa<AppState>();
    other.use(seen);
    other.use(routeTable(routers()));
    other.use(fallThrough);
    [mounted, table] = await Promise.all([serve(one), serve(other)]);
  });
  afterAll(async () => {
    await Promise.all([mounted?.close(), table?.close()]);
  });

  const answer = async (base: string, method: string, path: string) => {
    const res = await fetch(`${base}${path}`, { method });
    const header = (name: string) => res.headers.get(name);
    return { status: res.status, allow: header('allow'), router: header('x-router'), route: header('x-route'), params: header('x-params'), body: await res.text() };
  };

  it('answers every request as the routers mounted one after another do', async () => {
    for (const [method, path] of REQUESTS) {
      const expected = await answer(mounted.url, method, path);
      expect({ method, path, ...(await answer(table.url, method, path)) }).toEqual({ method, path, ...expected });
    }
    // The cases cover routes, fall-through, 405 and 501 alike.
    const statuses = await Promise.all(REQUESTS.map(async ([method, path]) => (await answer(table.url, method, path)).status));
    expect(new Set(statuses)).toEqual(new Set([200, 404, 405, 501]));
  });

  it('runs only the routers whose prefix the path falls under, and none for a route without parameters', async () => {
    const routed: string[] = [];
    const spied = routers().map((router, i) => {
      const match = router.match.bind(router);
      router.match = (path, method) => {
        routed.push(router.opts.prefix || `router ${i}`);
        return match(path, method);
      };
      return router;
    });
    const app = new Koa<AppState>();
    app.use(routeTable(spied));
    const server = await serve(app);
    try {
      expect((await answer(server.url, 'GET', '/api/v1/deliveries/7')).body).toBe('deliveries:7');
      expect(routed).toEqual(['router 0', '/api/v1/deliveries']);
      routed.length = 0;
      expect((await answer(server.url, 'GET', '/api/v1/drive/')).body).toBe('drive');
      expect(routed).toEqual(['router 0', '/api/v1/drive']);
      routed.length = 0;
      expect((await answer(server.url, 'GET', '/api/v1/drive')).body).toBe('drive');
      expect((await answer(server.url, 'POST', '/api/v1/drivers/me/location')).body).toBe('drivers:location');
      expect(routed).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
