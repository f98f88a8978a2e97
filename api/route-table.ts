/**
 * The resource routers behind one middleware. Mounted one after another, every request went through
 * each router in turn (a host check, a match over its routes, a result object and an allowed-methods
 * frame apiece) until one answered: a driver's location ping passed four routers before its own. Here a
 * request runs only the routers whose prefix its path falls under, and those without a prefix, in their
 * mounting order: the answers, 404s, 405s and 501s are the same, since a router whose prefix the path
 * lacks matches none of its routes.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { AppState } from './types.js';

/** Whether a lower-cased path falls under a router's prefix (the router matches regardless of case). */
function covers(prefix: string | undefined): (path: string) => boolean {
  if (!prefix) return () => true;
  const base = prefix.replace(/\/$/, '').toLowerCase();
  return (path) => path.startsWith(base) && (path.length === base.length || path[base.length] === '/');
}

/** The middleware, with the routers it serves (the OpenAPI check lists their routes). */
export type RouteTable = Middleware<AppState> & { routers: ReadonlyArray<Router<AppState>> };

export function routeTable(routers: Array<Router<AppState>>): RouteTable {
  if (routers.length > 30) throw new Error('a route table holds at most 30 routers');
  const entries = routers.map((router) => ({ covers: covers(router.opts.prefix), middleware: [router.routes(), router.allowedMethods()] }));
  // One chain per set of routers a path falls under: a few, built on first use.
  const chains = new Map<number, Middleware<AppState>>();
  const table: Middleware<AppState> = (ctx, next) => {
    const path = ctx.path.toLowerCase();
    let set = 0;
    for (let i = 0; i < entries.length; i += 1) if (entries[i]!.covers(path)) set |= 1 << i;
    let chain = chains.get(set);
    if (!chain) {
      chain = compose(entries.filter((_, i) => set & (1 << i)).flatMap((entry) => entry.middleware)) as Middleware<AppState>;
      chains.set(set, chain);
    }
    return chain(ctx, next);
  };
  return Object.assign(table, { routers });
}
