/**
 * The resource routers behind one middleware that runs, for each request, only the routers whose prefix
 * its path falls under (and those without one), in mounting order, so a hot route does not pay for
 * every router mounted before it. Answers, 404s and 405s are unchanged: a router matches nothing outside
 * its prefix. A route without path parameters that no other layer's path matches is looked up by its
 * exact path and runs straight away, without the routers' per-request matching and chain building.
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

type Layer = Router<AppState>['stack'][number];
type RoutedContext = Parameters<Middleware<AppState>>[0] & Record<string, unknown>;

/**
 * `METHOD path` of each route that has no parameters and whose path only its own router's `use` layers
 * also match, with the chain its router would build for it. Anything else (another case, a trailing
 * slash, a parameter, a path two routes share) goes through the routers: a `use` layer, unlike a
 * route, minds the case.
 */
function staticRoutes(routers: Array<Router<AppState>>): Map<string, Middleware<AppState>> {
  const routes = new Map<string, Middleware<AppState>>();
  const layers = routers.flatMap((router) => router.stack.map((layer) => ({ router, layer })));
  for (const { router, layer } of layers) {
    if (layer.methods.length === 0 || layer.paramNames.length > 0 || typeof layer.path !== 'string' || !/^[A-Za-z0-9/_.-]+$/.test(layer.path)) continue;
    const path = layer.path;
    const matching = layers.filter((other) => other.layer.match(path));
    // Another router's layer, or another route of this one for the same method, would join the chain.
    const shared = (other: { router: Router<AppState>; layer: Layer }) =>
      other.layer !== layer && (other.router !== router || other.layer.methods.some((m) => layer.methods.includes(m)));
    if (matching.some(shared)) continue;
    const matched = matching.map((other) => other.layer);
    // The same steps, in the same order, as the router's own dispatch for this path (see @koa/router `middleware()`).
    const steps = router.stack.filter((other) => other === layer || (other.methods.length === 0 && other.match(path)));
    const composed = compose(steps.flatMap((step) => [routeInfo(router, step, matched), ...step.stack])) as Middleware<AppState>;
    for (const method of layer.methods) routes.set(`${method} ${path}`, composed);
  }
  return routes;
}

/** What @koa/router puts on the context for a matched layer (handlers and the metrics read these). */
function routeInfo(router: Router<AppState>, layer: Layer, matched: Layer[]): Middleware<AppState> {
  return (ctx, next) => {
    const c = ctx as unknown as RoutedContext;
    c.matched = matched;
    c.router = router;
    c.routeMatched = true;
    const request = ctx.request as unknown as { params: Record<string, string> };
    const captures = layer.captures(ctx.path);
    c.captures = captures;
    request.params = layer.params(ctx.path, captures ?? [], c.params as Record<string, string> | undefined);
    c.params = request.params;
    c.routerPath = layer.path;
    c.routerName = layer.name || undefined;
    c._matchedRoute = layer.path;
    if (layer.name) c._matchedRouteName = layer.name;
    return next();
  };
}

export function routeTable(routers: Array<Router<AppState>>): RouteTable {
  if (routers.length > 30) throw new Error('a route table holds at most 30 routers');
  const entries = routers.map((router) => ({ covers: covers(router.opts.prefix), middleware: [router.routes(), router.allowedMethods()] }));
  const exact = staticRoutes(routers);
  // One chain per set of routers a path falls under: a few, built on first use.
  const chains = new Map<number, Middleware<AppState>>();
  const table: Middleware<AppState> = (ctx, next) => {
    const route = exact.get(`${ctx.method} ${ctx.path}`);
    if (route) return route(ctx, next);
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
