import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagePolicy } from './content-security.js';
import { NotFoundError, problemHandler } from './errors.js';
import { responseHeaders } from './response-headers.js';
import type { AppState } from './types.js';

const ALLOWED = 'https://dispatch.example.org';
const PAGE = '<!doctype html><script>boot()</script>';

describe('security and CORS headers', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = new Koa<AppState>();
    app.use(problemHandler());
    app.use(responseHeaders([ALLOWED]));
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
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close?.());

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
