/** The Koa application: middleware composed once, one router per resource. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyParser } from '@koa/bodyparser';
import { registerQueueMetrics } from '../adapters/queue-metrics.js';
import Koa, { type Middleware } from 'koa';
import compose from 'koa-compose';
import serve from 'koa-static';
import { keysOnlyWhereScoped } from './auth/api-key-routes.js';
import { authenticate } from './auth/middleware.js';
import { pagePolicy } from './content-security.js';
import { organizationContext } from './auth/organization-context.js';
import { AppError, problemHandler } from './errors.js';
import { idempotency } from './idempotency.js';
import { onConnectionLost } from '../db/connection.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { buildOpenApi, DOCS_HTML } from './openapi.js';
import { generalLimit } from './rate-limits.js';
import { requestContext } from './request-context.js';
import { responseHeaders } from './response-headers.js';
import { mountResource, type Resource, type Route, type SignIn } from './route.js';
import { routeTable } from './route-table.js';
import { aiRoutes } from './routes/ai.js';
import { alertRoutes } from './routes/alerts.js';
import { authRoutes } from './routes/auth.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { driverRoutes } from './routes/drivers.js';
import { csvText, importRoutes } from './routes/imports.js';
import { opsRoutes } from './routes/ops.js';
import { configRoutes, geocodeRoutes, placeRoutes } from './routes/places.js';
import { organizationRoutes } from './routes/organizations.js';
import { deliveryRouteLineRoutes, trackingRouteLineRoutes } from './routes/route-lines.js';
import { trackingRoutes } from './routes/tracking.js';
import { userRoutes } from './routes/users.js';
import { notificationRoutes, webhookRoutes } from './routes/webhooks.js';
import { createServices, type ApiDeps, type Services } from './services/index.js';
import type { AppState } from './types.js';
import { isJson } from './validate.js';

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

/** The body reader a route declares: JSON up to its `bodyLimit` (1 MB unless it says more), or a CSV file as text. */
function bodies(): (route?: Route) => Middleware<AppState> {
  const json = new Map<string, Middleware<AppState>>();
  const parserUpTo = (limit: string) => {
    if (!json.has(limit)) json.set(limit, bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8' }) as Middleware<AppState>);
    return json.get(limit)!;
  };
  return (route) => {
    if (route?.bodyType === 'text/csv') {
      return async (ctx, next) => {
        (ctx.request as unknown as { body: string }).body = await csvText(ctx as never);
        return next();
      };
    }
    const parser = parserUpTo(route?.bodyLimit ?? '1mb');
    return (ctx, next) => {
      const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
      if (hasBody && ['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.path.startsWith('/api/') && !isJson(ctx.get('content-type'))) {
        // Only what the parser reads: a +json type that passes here would reach the route unparsed.
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
      }
      return parser(ctx, next);
    };
  };
}

/** Every HTML document the app serves, for the hashes of their inline scripts. */
const htmlPages = (): string[] => {
  const index = path.join(webDist, 'index.html');
  return [docsPage(), ...(existsSync(index) ? [readFileSync(index, 'utf8')] : [])];
};
const docsPage = () => DOCS_HTML.replace("fetch('openapi.json')", "fetch('/api/v1/openapi.json')");

/** The built web app, with every unknown non-API GET answered by its index page (client-side routes). */
function webApp(): Middleware<AppState> {
  if (!existsSync(webDist)) return (_ctx, next) => next();
  // Both send the build's precompressed .gz copy to browsers that accept gzip.
  const files = serve(webDist, { index: 'index.html', maxage: 0 });
  const index = serve(webDist, { index: 'index.html' });
  // File names under /assets carry a content hash: a browser may keep them for good.
  const assets = serve(webDist, { maxage: 365 * 24 * 3600 * 1000, immutable: true });
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path.startsWith('/api/') || ctx.path.startsWith('/socket.io')) return next();
    await (ctx.path.startsWith('/assets/') ? assets : files)(ctx as never, async () => {});
    if (ctx.body === undefined && ctx.status === 404) {
      const original = ctx.path;
      ctx.path = '/';
      await index(ctx as never, async () => {});
      ctx.path = original;
    }
  };
}

export interface BuiltApi {
  app: Koa<AppState>;
  services: Services;
  metrics: ApiMetrics;
}

export function createApp(deps: ApiDeps): BuiltApi {
  const metrics = createApiMetrics();
  deps.redis.on('reconnecting', () => metrics.redisReconnects.inc());
  onConnectionLost(deps.db, () => metrics.databaseConnectionsLost.inc());
  const services = createServices(deps, metrics.registry);
  // Behind N trusted proxies the client address is the Nth entry from the right of X-Forwarded-For:
  // everything left of it was written by the client and may be forged.
  const app = new Koa<AppState>({ proxy: deps.config.TRUST_PROXY, maxIpsCount: deps.config.TRUST_PROXY_HOPS });
  // A body is read only once its sender is known and within its limit: a stranger's POST gets its 401
  // without the API parsing up to 2 MB of JSON first.
  const bodyFor = bodies();
  const people = authenticate(services.tokens, services.auth, services.apiKeys);
  const [inOrganization, limit, replay] = [organizationContext(services.organizationStore), generalLimit(services.limits), idempotency(services.idempotencyKeys)];
  // Each route takes API keys only with the scope it declares, and its body as it declares it.
  const signedIn: SignIn = (route) =>
    compose<never>([people, keysOnlyWhereScoped(route.apiKeyScope), inOrganization, limit, bodyFor(route), replay]) as unknown as Middleware<AppState>;

  app.use(requestContext(deps.logger, metrics));
  app.use(problemHandler());
  app.use(responseHeaders(deps.config.CORS_ORIGINS));
  app.use(pagePolicy(htmlPages, deps.config.MAP_TILE_URL));

  registerQueueMetrics(metrics.registry, services.queues);
  // One table for every resource: a request runs only those its path falls under, so the public tracking
  // page, the most read route, meets no signed-in router and a signed-in request no tracking router.
  const resources: Resource[] = [
    trackingRoutes({ tracking: services.tracking, limit: generalLimit(services.limits) }),
    opsRoutes({ database: services.ops, redis: deps.redis, temporal: deps.temporal, metrics }),
    authRoutes({ auth: services.auth, tokens: services.tokens, limits: services.limits, refreshTtlSeconds: deps.config.REFRESH_TOKEN_TTL_S, parseBody: bodyFor() }),
    // Before the deliveries' router: its prefix also covers the import's path.
    ...importRoutes({ imports: services.imports, auth: signedIn }),
    deliveryRoutes({ deliveries: services.deliveries, proofs: services.proofs, auth: signedIn }),
    driverRoutes({ drivers: services.drivers, auth: signedIn }),
    webhookRoutes({ webhooks: services.webhooks, auth: signedIn }),
    notificationRoutes({ notifications: services.notifications, auth: signedIn }),
    alertRoutes({ alerts: services.alerts, live: deps.live, auth: signedIn }),
    userRoutes({ accounts: services.auth, auth: signedIn }),
    organizationRoutes({ organizations: services.organizations, auth: signedIn }),
    aiRoutes({ ai: services.ai, limits: services.limits, auth: signedIn }),
    geocodeRoutes({ places: services.places, limits: services.limits, auth: signedIn }),
    placeRoutes({ store: services.placeStore, auth: signedIn }),
    configRoutes({ config: deps.config }),
    deliveryRouteLineRoutes({ deliveries: services.deliveries, drivers: services.driverStore, trips: services.geo.trips, auth: signedIn }),
    trackingRouteLineRoutes({ deliveries: services.deliveryStore, drivers: services.driverStore, trips: services.geo.trips, limit: generalLimit(services.limits) }),
  ];
  app.use(routeTable(resources.map(mountResource)));
  // The document of exactly the routes mounted above, built on first request.
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  app.use(async (ctx, next) => {
    if (ctx.path === '/api/v1/openapi.json') ctx.body = openapi ??= buildOpenApi(deps.config.PUBLIC_URL, resources.flatMap((r) => r.routes));
    else if (ctx.path === '/api/v1/docs') {
      ctx.type = 'html';
      ctx.body = docsPage();
    } else await next();
  });
  app.use(webApp());
  return { app, services, metrics };
}
