/**
 * Security headers on every answer (helmet) and CORS for the configured origins (@koa/cors). The
 * Content-Security-Policy is not helmet's: pages get their own, with the hashes of their inline scripts
 * (content-security.ts), and JSON answers need none.
 */
import cors from '@koa/cors';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';
import type { AppState } from './types.js';

/** Request headers a browser on an allowed origin may send. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Organization-Id', 'X-Request-Id', 'X-Refresh-Token-Transport'];

const HELMET: Readonly<HelmetOptions> = {
  contentSecurityPolicy: false,
  frameguard: { action: 'deny' },
  // TLS ends at the edge in front of the API, which sets Strict-Transport-Security for its own hosts.
  strictTransportSecurity: false,
};

/**
 * The headers helmet sets with these options. They depend on nothing in the request, so they are worked
 * out once instead of running helmet's dozen steps on every answer (its removal of X-Powered-By is moot:
 * Koa never sets it).
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = { setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]), removeHeader: () => {} };
  let finished = false;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers at once');
  return headers;
}

/** The headers of every answer to a request without an allowed `Origin`: the security headers, and `Vary`. */
export const fixedResponseHeaders = (): ReadonlyArray<readonly [string, string]> => [...helmetHeaders(HELMET), ['Vary', 'Origin']];

export function responseHeaders(origins: readonly string[]): Middleware<AppState> {
  const allowed = new Set(origins);
  const security = helmetHeaders(HELMET);
  const crossOrigin = cors({
    // Any other origin gets no CORS headers, so its browser keeps the answer from it.
    origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ALLOWED_HEADERS,
    // The problem handler keeps headers set before an error, so errors need no copy of them.
    keepHeadersOnError: false,
  }) as Middleware<AppState>;
  return (ctx, next) => {
    for (const [name, value] of security) ctx.res.setHeader(name, value);
    // What @koa/cors does for a request from no allowed origin (drivers' apps, servers), without its promises.
    if (!allowed.has(ctx.get('origin'))) {
      // Nothing set Vary yet (the usual case): no need for the vary module to parse and merge it.
      if (ctx.response.get('Vary')) ctx.vary('Origin');
      else ctx.set('Vary', 'Origin');
      return next();
    }
    return crossOrigin(ctx, next);
  };
}
