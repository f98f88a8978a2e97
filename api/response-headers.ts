/**
 * Security headers on every answer (helmet) and CORS for the configured origins (@koa/cors). The
 * Content-Security-Policy is not helmet's: pages get their own, with the hashes of their inline scripts
 * (content-security.ts), and JSON answers need none.
 */
import cors from '@koa/cors';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import helmet from 'koa-helmet';
import type { AppState } from './types.js';

/** Request headers a browser on an allowed origin may send. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Organization-Id', 'X-Request-Id', 'X-Refresh-Token-Transport'];

export function responseHeaders(origins: readonly string[]): Middleware<AppState> {
  const allowed = new Set(origins);
  return compose([
    helmet({
      contentSecurityPolicy: false,
      frameguard: { action: 'deny' },
      // TLS ends at the edge in front of the API, which sets Strict-Transport-Security for its own hosts.
      strictTransportSecurity: false,
    }),
    cors({
      // Any other origin gets no CORS headers, so its browser keeps the answer from it.
      origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: ALLOWED_HEADERS,
      // The problem handler keeps headers set before an error, so errors need no copy of them.
      keepHeadersOnError: false,
    }),
  ]) as Middleware<AppState>;
}
