import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnauthorizedError, problemHandler } from './errors.js';
import { mountResource, route, type Resource, type Route } from './route.js';
import type { AppState } from './types.js';

const noteSchema = z.strictObject({ text: z.string().min(1) });
const listSchema = z.strictObject({ limit: z.coerce.number().int().max(50).default(10) });
const signedInFor: Route[] = [];

/** Signs in whoever sends `x-role`, and records which declaration asked. */
const signIn = (r: Route) => {
  signedInFor.push(r);
  return async (ctx: Koa.ParameterizedContext<AppState>, next: Koa.Next) => {
    const role = ctx.get('x-role');
    if (!role) throw new UnauthorizedError();
    ctx.state.user = { id: 'u1', role: role as never, email: '', name: '' };
    await next();
  };
};

const notes: Resource = {
  prefix: '/notes',
  authenticate: signIn,
  routes: [
    route({ method: 'get', path: '/notes', summary: 'list', roles: 'user', query: listSchema, ok: 200, handler: (ctx) => ({ limit: ctx.state.query.limit }) }),
    route({
      method: 'post', path: '/notes/:id', summary: 'add', roles: ['dispatcher'], apiKeyScope: 'deliveries:write', ids: { id: 'note' }, body: noteSchema, ok: 201,
      handler: (ctx) => ({ id: ctx.params.id, text: ctx.state.body.text.toUpperCase() }),
    }),
    route({ method: 'delete', path: '/notes/:id', summary: 'remove', roles: 'user', ok: 204, handler: () => undefined }),
    route({ method: 'get', path: '/notes/public/count', summary: 'count', roles: 'anyone', ok: 200, handler: () => ({ count: 3 }) }),
  ],
};

describe('a route declared once', () => {
  let url: string;
  let close: () => Promise<void>;
  const id = '7f1c2b1e-8a4b-4c3d-9e2f-0123456789ab';

  beforeAll(async () => {
    const app = new Koa<AppState>();
    app.use(problemHandler());
    app.use(bodyParser({ enableTypes: ['json'] }));
    const router = mountResource(notes);
    app.use(router.routes()).use(router.allowedMethods());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close?.());

  const send = async (method: string, path: string, role?: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { ...(role ? { 'x-role': role } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('answers with the declared status and the handler’s parsed, typed input', async () => {
    expect(await send('POST', `/notes/${id}`, 'dispatcher', { text: 'hi' })).toEqual({ status: 201, body: { id, text: 'HI' } });
    expect(await send('GET', '/notes?limit=5', 'customer')).toEqual({ status: 200, body: { limit: 5 } });
    expect(await send('GET', '/notes', 'customer')).toEqual({ status: 200, body: { limit: 10 } });
    expect((await send('DELETE', `/notes/${id}`, 'customer')).status).toBe(204);
    expect(await send('GET', '/notes/public/count')).toEqual({ status: 200, body: { count: 3 } });
  });

  it('checks sign-in, then the role, then the id, then the body', async () => {
    expect((await send('POST', '/notes/nope', undefined, { text: '' })).body.code).toBe('UNAUTHORIZED');
    expect((await send('POST', '/notes/nope', 'customer', { text: '' })).body.code).toBe('FORBIDDEN');
    expect((await send('POST', '/notes/nope', 'dispatcher', { text: '' })).body).toMatchObject({ status: 404, detail: expect.stringContaining('note') });
    const invalid = await send('POST', `/notes/${id}`, 'dispatcher', { text: '', extra: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect((await send('GET', '/notes?limit=500', 'customer')).status).toBe(400);
  });

  it('hands each route’s own declaration to its sign-in, and refuses a path outside the prefix', () => {
    expect(signedInFor.map((r) => [r.path, r.method, r.apiKeyScope])).toEqual([
      ['/notes', 'get', undefined],
      ['/notes/:id', 'post', 'deliveries:write'],
      ['/notes/:id', 'delete', undefined],
    ]);
    const stray = route({ method: 'get', path: '/elsewhere', summary: 's', roles: 'anyone', ok: 200, handler: () => ({}) });
    expect(() => mountResource({ prefix: '/notes', routes: [stray] })).toThrow(/outside/);
  });
});
