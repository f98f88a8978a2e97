/**
 * Location pings, the API's busiest request, served by Node's HTTP server itself when nothing about the
 * request is unusual: a driver sending plain JSON of a declared length, without an organisation, an
 * idempotency key or an origin allowed cross-origin calls. The app's middleware (each step of it cheap, together a third of
 * a ping's time) is skipped; its checks are not: the token, the live session and the rate limit are
 * checked as the app checks them, and without a promise when this instance remembers them.
 *
 * The answer is the route's own: the same schema, clock check and service call (`receivePings`), the
 * same problem documents, headers, metrics and log line. A request that fails a check goes to the app
 * before its body is read, and the app answers it as it answers every request (a refused one is checked
 * twice: refusals are rare and cheap).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import bourne from '@hapi/bourne';
import type { Logger } from 'pino';
import { locationBodySchema } from '../domain/schemas.js';
import type { AuthService } from './auth/auth-service.js';
import { isApiKey } from './auth/api-keys.js';
import { bearerToken, userFromToken } from './auth/middleware.js';
import type { TokenService } from './auth/tokens.js';
import { asProblem, problemDocument } from './errors.js';
import type { LeasedLimiter } from './leased-limiter.js';
import type { ApiMetrics } from './metrics.js';
import { recordRequest, requestIdFor, RequestState } from './request-context.js';
import { API_BASE } from './route.js';
import { LOCATION_ROUTE, receivePings } from './routes/drivers.js';
import type { DriversService } from './services/drivers-service.js';
import type { AuthUser } from './types.js';
import { isJson, parseInput } from './validate.js';

export const LOCATION_PATH = `${API_BASE}${LOCATION_ROUTE}`;

/** The largest body taken here: the route's (and every JSON route's) 1 MB. */
const BODY_LIMIT = 1024 * 1024;

/** What co-body's strict JSON reading takes: an object or an array, after RFC 8259 whitespace. */
const STRICT_JSON = /^[ \t\n\r]*(\[|\{)/;

export interface LocationFastPathDeps {
  tokens: TokenService;
  auth: AuthService;
  /** The per-user request limit every signed-in request spends (`generalLimit`). */
  limiter: LeasedLimiter;
  drivers: DriversService;
  logger: Logger;
  metrics: ApiMetrics;
  /** The headers of every answer of the app to a request from no allowed origin (`fixedResponseHeaders`). */
  fixedHeaders: ReadonlyArray<readonly [string, string]>;
  /** `CORS_ORIGINS`: a request from one of these gets CORS headers, from the app. */
  corsOrigins: ReadonlySet<string>;
}

/**
 * Whether the app must see the request itself: an organisation, a replayable key, an origin that gets
 * CORS headers, or a body other than plain JSON of a declared length. Any other origin (the driver's own
 * page, whose browser sends it) is answered as the app answers it: without CORS headers.
 */
function special(req: IncomingMessage, corsOrigins: ReadonlySet<string>): boolean {
  const h = req.headers;
  if (h['x-organization-id'] !== undefined || h['idempotency-key'] !== undefined || (h.origin !== undefined && corsOrigins.has(h.origin))) return true;
  if (h['transfer-encoding'] !== undefined || (h['content-encoding'] !== undefined && h['content-encoding'] !== 'identity')) return true;
  const length = Number(h['content-length']);
  return !(length > 0 && length <= BODY_LIMIT) || !isJson(h['content-type'] ?? '');
}

const isDriver = (user: AuthUser | null | undefined): user is AuthUser => user?.role === 'driver' && user.driverId !== undefined;

/** The driver when this instance remembers their token and session and their lease has a point left (no promise). */
function rememberedDriver(token: string, deps: LocationFastPathDeps): AuthUser | undefined {
  const claims = deps.tokens.verifiedClaims(token);
  const user = claims && deps.auth.rememberedUser(claims.sub, claims.sid);
  return isDriver(user) && deps.limiter.spendLeased(user.id) ? user : undefined;
}

/**
 * The driver after the checks the app makes (token, live session, a point of the limit), or undefined when
 * one fails: the app then makes them again and gives its own refusal.
 */
async function checkedDriver(token: string, deps: LocationFastPathDeps): Promise<AuthUser | undefined> {
  if (isApiKey(token)) return undefined;
  const user = await userFromToken(token, deps.tokens, deps.auth).catch(() => undefined);
  if (!isDriver(user)) return undefined;
  return deps.limiter.consume(user.id).then(() => user, () => undefined);
}

/** The body as co-body reads it for the app's JSON routes, with the same errors (a `SyntaxError` with status 400). */
function parseJson(text: string): unknown {
  if (!STRICT_JSON.test(text)) throw Object.assign(new SyntaxError('invalid JSON, only supports object and array'), { status: 400 });
  try {
    return bourne.parse(text, { protoAction: 'error' });
  } catch (err) {
    throw Object.assign(err as Error, { status: 400 });
  }
}

/** Serves location pings it can take without the app; hands every other request to `app`. */
export function locationFastPath(deps: LocationFastPathDeps, app: RequestListener): RequestListener {
  const { logger, metrics, drivers } = deps;
  // Flat, as `writeHead` takes them: worked out once, not on every answer.
  const fixed = deps.fixedHeaders.flat();

  const answer = (res: ServerResponse, state: RequestState, status: number, type: string, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    const headers: string[] = ['X-Request-Id', state.requestId, ...fixed];
    for (const [name, value] of Object.entries(extra)) headers.push(name, value);
    headers.push('Content-Type', type, 'Content-Length', String(Buffer.byteLength(text)));
    res.writeHead(status, headers);
    res.end(text);
  };

  const take = (res: ServerResponse, text: string, state: RequestState, started: number) => {
    const finish = (status: number) =>
      recordRequest(logger, metrics, { method: 'POST', path: LOCATION_PATH, route: LOCATION_PATH, status, ms: performance.now() - started, state });
    const fail = (err: unknown) => {
      const problem = asProblem(err, state.log);
      answer(res, state, problem.status, 'application/problem+json', problemDocument(problem, state.requestId), problem.headers);
      finish(problem.status);
    };
    let accepted: Promise<{ accepted: number }>;
    try {
      const body = parseInput('body', locationBodySchema, parseJson(text)) as Parameters<typeof receivePings>[2];
      accepted = receivePings(drivers, state.user!.driverId!, body);
    } catch (err) {
      return fail(err);
    }
    accepted.then((result) => {
      answer(res, state, 202, 'application/json; charset=utf-8', result);
      finish(202);
    }, fail);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, user: AuthUser, started: number) => {
    const given = req.headers['x-request-id'];
    const state = new RequestState(logger, requestIdFor(typeof given === 'string' ? given : undefined));
    state.user = user;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => take(res, (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'), state, started));
    // A sender gone mid-body is answered by nobody: its socket is closed by Node.
    req.on('error', () => res.destroy());
  };

  return (req, res) => {
    const token = req.method === 'POST' && req.url === LOCATION_PATH && !special(req, deps.corsOrigins) ? bearerToken(req.headers.authorization) : null;
    if (!token) return app(req, res);
    const started = performance.now();
    const known = rememberedDriver(token, deps);
    if (known) return serve(req, res, known, started);
    // The body stays unread while the checks wait, so the app can still read it.
    checkedDriver(token, deps).then(
      (user) => (user ? serve(req, res, user, started) : app(req, res)),
      () => app(req, res),
    );
  };
}
