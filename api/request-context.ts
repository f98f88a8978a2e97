/**
 * What every request gets first, in one frame around the rest: its id, its logger, its metrics and its
 * log line. Outside the problem handler, so a thrown error is counted and logged with the status the
 * client got.
 */
import { randomUUID } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { ApiMetrics } from './metrics.js';
import type { AppState, AuthUser } from './types.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const UNLOGGED = new Set(['/metrics', '/health']);

/** `ctx.state`, whose child logger is made on first use: most requests log one line at most, or none. */
export class RequestState implements AppState {
  user?: AuthUser;
  body?: unknown;
  query?: unknown;
  params?: Record<string, string>;
  #log: Logger | undefined;

  constructor(
    private readonly logger: Logger,
    readonly requestId: string,
  ) {}

  get log(): Logger {
    return (this.#log ??= this.logger.child({ requestId: this.requestId }));
  }

  set log(log: Logger) {
    this.#log = log;
  }
}

/** The matched route pattern, never the raw path, keeps the metrics' label cardinality bounded. */
function routeLabel(ctx: ParameterizedContext<AppState>): string {
  return (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? (ctx.path.startsWith('/api/') ? 'unmatched' : 'static');
}

/** The caller's `X-Request-Id` when it is a sane one, else a new id. */
export const requestIdFor = (given: string | undefined): string => (given && REQUEST_ID.test(given) ? given : randomUUID());

export interface FinishedRequest {
  method: string;
  path: string;
  /** The route pattern it matched, `unmatched` or `static`. */
  route: string;
  status: number;
  ms: number;
  state: RequestState;
}

/** What every answered request leaves behind: its duration and count in the metrics, and its log line. */
export function recordRequest(logger: Logger, metrics: ApiMetrics, r: FinishedRequest): void {
  metrics.duration.observe({ method: r.method, route: r.route }, r.ms / 1000);
  metrics.requests.inc({ method: r.method, route: r.route, status: String(r.status) });
  if (!UNLOGGED.has(r.path) && logger.isLevelEnabled('info')) {
    r.state.log.info(
      // Tracking codes open a delivery to anyone who holds one: they stay out of the logs.
      { method: r.method, path: r.path.replace(/^\/api\/v1\/track\/[^/]+/, '/api/v1/track/:code'), status: r.status, ms: Math.round(r.ms), user: r.state.user?.id },
      'request',
    );
  }
}

export function requestContext(logger: Logger, metrics: ApiMetrics): Middleware<AppState> {
  return async (ctx, next) => {
    const started = performance.now();
    const state = new RequestState(logger, requestIdFor(ctx.get('x-request-id')));
    ctx.state = state;
    ctx.set('X-Request-Id', state.requestId);
    try {
      await next();
    } finally {
      recordRequest(logger, metrics, { method: ctx.method, path: ctx.path, route: routeLabel(ctx), status: ctx.status, ms: performance.now() - started, state });
    }
  };
}
