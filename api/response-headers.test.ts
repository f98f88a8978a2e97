import type { AddressInfo } from 'node:net';
import cors from '@koa/cors';
import helmet from 'helmet';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagePolicy } from './content-security.js';
import { NotFoundError, problemHandler } from './errors.js';
import { responseHeaders } from './response-headers.js';
import type { AppState } from './types.js';

const ALLOWED = 'https://dispatch.example.org';
const PAGE = '<!doctype html><script>boot()</script>';

async function serve(headers: Koa.Middleware<AppState>): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Koa<AppState>();
  app.use(problemHandler());
  app.use(headers);
  app.use(pagePolicy(() => [PAGE]));
  app.use(async (ctx) => {
    if (ctx.path === '/page') {
      ctx.type = 'html';
      ctx.body = PAGE;
    } else if (ctx.path === '/api/v1/missing') throw new NotFoundError('delivery');
    else ctx.body = { ok: true };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** helmet and @koa/cors run on every request with the same options: the headers worked out once must match theirs. */
const perRequest: Koa.Middleware<AppState> = async (ctx, next) => {
  await new Promise<void>((resolve, reject) =>
    helmet({ contentSecurityPolicy: false, frameguard: { action: 'deny' }, strictTransportSecurity: false })(ctx.req, ctx.res, (err?: unknown) => (err ? reject(err) : resolve())),
  );
  return cors({
    origin: (c) => (c.get('origin') === ALLOWED ? ALLOWED : ''),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Organization-Id', 'X-Request-Id', 'X-Refresh-Token-Transport'],
    keepHeadersOnError: false,
  })(ctx, next);
};

describe('security and CORS headers', () => {
  let url: string;
  let close: () => Promise<void>;
  let reference: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    ({ url, close } = await serve(responseHeaders([ALLOWED])));
    reference = await serve(perRequest);
  });
  afterAll(async () => {
    await Promise.all([close?.(), reference?.close()]);
  });

  it('sends the very headers helmet and @koa/cors send, for every kind of request', async () => {
    const requests: Array<[string, string, Record<string, string>]> = [
      ['GET', '/api/v1/anything', {}],
      ['POST', '/api/v1/anything', { 'content-type': 'application/json' }],
      ['GET', '/api/v1/anything', { origin: ALLOWED }],
      ['GET', '/api/v1/anything', { origin: 'https://evil.example.net' }],
      ['GET', '/api/v1/missing', {}],
      ['GET', '/api/v1/missing', { origin: ALLOWED }],
      ['GET', '/page', {}],
      ['OPTIONS', '/api/v1/deliveries', { origin: ALLOWED, 'access-control-request-method': 'POST' }],
      ['OPTIONS', '/api/v1/deliveries', { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' }],
      ['OPTIONS', '/api/v1/deliveries', {}],
    ];
    const answer = async (base: string, [method, path, headers]: (typeof requests)[number]) => {
      const res = await fetch(`${base}${path}`, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
      const all = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date'));
      return { method, path, status: res.status, headers: all, body: (await res.text()).replace(/"requestId":"[^"]*"/, '') };
    };
    for (const request of requests) expect(await answer(url, request)).toEqual(await answer(reference.url, request));
  });

  it('forbids framing, sniffing and referrers on every answer, with no HSTS or policy of helmet’s own', async () => {
    const res = await fetch(`${url}/api/v1/anything`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it('keeps the pages’ own policy, scripts by hash only', async () => {
    const policy = (await fetch(`${url}/page`)).headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('answers a preflight from an allowed origin with the headers and methods the API takes', async () => {
    const res = await fetch(`${url}/api/v1/deliveries`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, idempotency-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets an allowed origin read answers and problems, and no other origin', async () => {
    const ok = await fetch(`${url}/api/v1/anything`, { headers: { origin: ALLOWED } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('vary')).toContain('Origin');
    const problem = await fetch(`${url}/api/v1/missing`, { headers: { origin: ALLOWED } });
    expect(problem.status).toBe(404);
    expect(problem.headers.get('access-control-allow-origin')).toBe(ALLOWED);

    const stranger = await fetch(`${url}/api/v1/anything`, { headers: { origin: 'https://evil.example.net' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/api/v1/deliveries`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });
});
