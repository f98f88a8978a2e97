/**
 * A route declared once: method, path, who may call it, the zod schemas of its body and query, its
 * answer status and its handler. `mountResource` mounts a resource's declarations on one @koa/router
 * router, with the sign-in, role, id and schema checks they name; `buildOpenApi` documents the very same
 * declarations, so what is served and what is documented cannot part.
 */
import Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import type { z } from 'zod';
import type { ApiKeyScope } from '../domain/organizations.js';
import type { Role } from '../domain/status.js';
import { requireRole } from './auth/middleware.js';
import { NotFoundError } from './errors.js';
import type { AppState } from './types.js';
import { isUuid, parseInput } from './validate.js';

export const API_BASE = '/api/v1';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** Who may call: anyone, the ops probes, any signed-in account, or an account with one of these roles. */
export type Access = 'anyone' | 'ops' | 'user' | readonly Role[];

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** `ctx.state` inside a handler: the body and query already parsed by the route's schemas. */
export interface RouteState<Body = unknown, Query = unknown> extends AppState {
  body: Body;
  query: Query;
  idempotencyKey?: string;
}

/** A handler's context: Koa's, with the parsed input on `state` and the path parameters on `params`. */
export type RouteContext<Body = unknown, Query = unknown> = ParameterizedContext<RouteState<Body, Query>> & { params: Record<string, string> };

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodObject | undefined> {
  method: Method;
  /** The path under /api/v1, as @koa/router spells it (`/deliveries/:id`). */
  path: string;
  summary: string;
  roles: Access;
  /** The rule in words where it is finer than the roles (an owner, a scoped read); the document shows it. */
  who?: string;
  /** Organisation API keys holding this scope may call it too; a route without one refuses every key. */
  apiKeyScope?: ApiKeyScope;
  body?: B;
  /** The body may be left out (actions that take none still refuse any field sent). */
  bodyOptional?: boolean;
  /** Another media type than JSON for the body; the body is then read before the route (api/app.ts). */
  bodyType?: string;
  /** The largest JSON body taken, where a route needs more than the 1 MB every other one takes. */
  bodyLimit?: string;
  /** Where the schema of a body depends on the request (a browser's refresh token comes in a cookie). */
  bodyFor?: (ctx: RouteContext) => z.ZodType;
  query?: Q;
  /**
   * Path parameters that are UUIDs, with what each names: an id of another form cannot exist, so it is a
   * 404 before the body is read or the database asked. Checked after the role, so a caller who may never
   * do this learns nothing about which ids exist.
   */
  ids?: Record<string, string>;
  /** The status of a successful answer. */
  ok: number;
  /** The route waits on the delivery's workflow: past the API's deadline it answers 504 WORKFLOW_PENDING. */
  waitsOnWorkflow?: boolean;
  /** Returns the answer's body, or sets `ctx.body` itself (non-JSON answers) and returns nothing. */
  handler: (ctx: RouteContext<Parsed<B>, Parsed<Q>>) => unknown;
}

/** A declaration with its schema types erased, as resources list them. */
export type Route = RouteSpec<z.ZodType | undefined, z.ZodObject | undefined>;

/** Declares a route; only here do the schemas type the handler's `ctx.state.body` and `ctx.state.query`. */
export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(spec: RouteSpec<B, Q>): Route {
  return spec as unknown as Route;
}

/** Signs the caller of a route in: built once per route at mounting, so it may read the declaration. */
export type SignIn = (route: Route) => Middleware<AppState>;

/** The routes of one resource, mounted together under one prefix (one router of the route table). */
export interface Resource {
  /** The common start of its paths under /api/v1: the route table runs its router only for those. */
  prefix?: string;
  /** Runs before every route of the resource once one matches: a rate limit, a body parser. */
  use?: Array<Middleware<AppState>>;
  /** Signs the caller in, for the routes not open to anyone. */
  authenticate?: SignIn;
  /** Also serve the routes at the root, outside /api/v1 (the probes, for orchestrators). */
  alsoAtRoot?: boolean;
  routes: Route[];
}

export const isOpen = (roles: Access): roles is 'anyone' | 'ops' => roles === 'anyone' || roles === 'ops';

function idGuard(ids: Record<string, string>): Middleware<AppState> {
  const names = Object.entries(ids);
  return async (ctx, next) => {
    const { params } = ctx as unknown as RouteContext;
    for (const [name, what] of names) if (!isUuid(params[name] ?? '')) throw new NotFoundError(what);
    await next();
  };
}

/** Parses the body and query, runs the handler, and answers with the declared status. */
function answer(route: Route): Middleware<AppState> {
  const { body, bodyFor, query, handler, ok } = route;
  return async (ctx) => {
    const c = ctx as unknown as RouteContext;
    const bodySchema = bodyFor ? bodyFor(c) : body;
    if (bodySchema) c.state.body = parseInput('body', bodySchema, (ctx.request as { body?: unknown }).body);
    if (query) c.state.query = parseInput('query', query, { ...ctx.query });
    const result = await handler(c as never);
    if (result !== undefined) ctx.body = result;
    if (ok !== 200) ctx.status = ok;
  };
}

function chain(route: Route, resource: Resource): Array<Middleware<AppState>> {
  const steps: Array<Middleware<AppState>> = [];
  if (!isOpen(route.roles)) {
    if (!resource.authenticate) throw new Error(`${route.method} ${route.path} needs a sign-in its resource does not give`);
    steps.push(resource.authenticate(route));
    if (route.roles !== 'user') steps.push(requireRole(...route.roles));
  }
  if (route.ids) steps.push(idGuard(route.ids));
  steps.push(answer(route));
  return steps;
}

/** One router for the resource, each route with exactly the checks its declaration names. */
export function mountResource(resource: Resource): Router<AppState> {
  const prefix = resource.prefix ? `${API_BASE}${resource.prefix}` : undefined;
  const router = new Router<AppState>(prefix ? { prefix } : {});
  if (resource.use?.length) router.use(...resource.use);
  for (const route of resource.routes) {
    if (resource.prefix && !route.path.startsWith(resource.prefix)) throw new Error(`${route.path} lies outside ${resource.prefix}`);
    const steps = chain(route, resource);
    const at = resource.prefix ? route.path.slice(resource.prefix.length) || '/' : `${API_BASE}${route.path}`;
    router[route.method](at, ...steps);
    if (resource.alsoAtRoot) router[route.method](route.path, ...steps);
  }
  return router;
}
