/**
 * The resource routers behind one middleware that runs, for each request, only the routers whose prefix
 * its path falls under (and those without one), in mounting order, so a hot route does not pay for
 * every router mounted before it. Answers, 404s and 405s are unchanged: a router matches nothing outside
 * its prefix.
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
