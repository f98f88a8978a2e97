import { Validator } from '@seriousme/openapi-schema-validator';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDeliverySchema, milestoneSchema, registerSchema } from '../../domain/schemas.js';
import { call, startTestApi, type TestApi } from '../support/harness.js';

/** Method and path of every route the running app serves, as the spec spells them (`/deliveries/{id}`). */
function servedRoutes(api: TestApi): string[] {
  const routes = new Set<string>();
  type Routed = { stack: Array<{ path: string; methods: string[] }> };
  const middleware = api.running.api.app.middleware as Array<{ router?: Routed; routers?: Routed[] }>;
  for (const router of middleware.flatMap((mw) => mw.routers ?? (mw.router ? [mw.router] : []))) {
    for (const layer of router.stack) {
      if (!layer.path.startsWith('/api/v1/')) continue;
      const path = layer.path.replace(/^\/api\/v1/, '').replace(/\/$/, '').replace(/:(\w+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method.toLowerCase()} ${path}`);
    }
  }
  return [...routes].sort();
}

describe('OpenAPI document and docs page', () => {
  let api: TestApi;
  let spec: any;

  beforeAll(async () => {
    api = await startTestApi();
    spec = (await call(api.url, 'GET', '/api/v1/openapi.json')).body;
  });
  afterAll(() => api?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(spec.openapi).toBe('3.1.0');
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(spec.servers[0].url).toMatch(/\/api\/v1$/);
  });

  it('documents every route the API serves, and no route it does not', () => {
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .filter((r) => !/ \/(openapi\.json|docs)$/.test(r))
      .sort();
    const served = servedRoutes(api);
    expect(served.length).toBeGreaterThan(15);
    expect(documented).toEqual(served);
  });

  it('documents request bodies with the very schemas the routes validate with', () => {
    const body = (path: string) => spec.paths[path].post.requestBody.content['application/json'].schema;
    expect(body('/deliveries')).toEqual(z.toJSONSchema(createDeliverySchema, { io: 'input', unrepresentable: 'any' }));
    expect(body('/deliveries/{id}/milestones')).toEqual(z.toJSONSchema(milestoneSchema, { io: 'input', unrepresentable: 'any' }));
    expect(body('/auth/register')).toEqual(z.toJSONSchema(registerSchema, { io: 'input', unrepresentable: 'any' }));
    // Unknown fields are refused, and the document says so.
    expect(body('/deliveries').additionalProperties).toBe(false);
    expect(body('/deliveries').properties.pickup.additionalProperties).toBe(false);
    expect(body('/auth/register').properties.password).toMatchObject({ minLength: 10, maxLength: 128 });
  });

  it('marks public operations as needing no token, and the others as bearer-protected', () => {
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const path of ['/auth/login', '/auth/register', '/auth/refresh', '/track/{trackingCode}', '/health']) {
      const op = Object.values(spec.paths[path])[0] as any;
      expect(op.security, path).toEqual([]);
    }
    expect(spec.paths['/deliveries/{id}/assign'].post.security).toBeUndefined();
    expect(spec.security).toEqual([{ bearer: [] }]);
    // API keys are documented where, and only where, a scope lets them in.
    expect(spec.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'lpk_' });
    expect(spec.paths['/deliveries'].post).toMatchObject({ security: [{ bearer: [] }, { apiKey: [] }], 'x-api-key-scope': 'deliveries:write' });
    expect(spec.paths['/deliveries/{id}'].get['x-api-key-scope']).toBe('deliveries:read');
    expect(spec.paths['/webhooks'].post['x-api-key-scope']).toBe('webhooks:manage');
    for (const [path, method] of [['/auth/me', 'get'], ['/organizations/{id}/api-keys', 'post'], ['/drivers', 'get'], ['/deliveries/{id}/milestones', 'post']] as const) {
      expect(spec.paths[path][method].security, path).toBeUndefined();
    }
    const names = (path: string, method: string) => spec.paths[path][method].parameters.map((p: { name: string }) => p.name);
    expect(names('/deliveries', 'get')).toContain('X-Organization-Id');
    expect(names('/webhooks', 'post')).toContain('X-Organization-Id');
    expect(names('/auth/me', 'get')).not.toContain('X-Organization-Id');
  });

  it('offers Idempotency-Key on the signed-in POSTs and describes errors as problem documents', () => {
    const params = (path: string) => (spec.paths[path].post.parameters as Array<{ name: string }>).map((p) => p.name);
    expect(params('/deliveries')).toContain('Idempotency-Key');
    expect(params('/deliveries/{id}/cancel')).toContain('Idempotency-Key');
    expect(params('/auth/login')).not.toContain('Idempotency-Key');
    expect(spec.paths['/deliveries'].post.responses['422'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(spec.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code']);
    expect(spec.paths['/deliveries'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['status', 'driverId', 'customerId', 'limit', 'cursor']),
    );
  });

  it('serves a self-contained docs page that lists every operation', async () => {
    const page = await call(api.url, 'GET', '/api/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${api.url}/api/v1/docs`);
      const count = Object.values(spec.paths).reduce((n: number, ops) => n + Object.keys(ops as object).length, 0);
      await tab.waitForFunction((n) => document.querySelectorAll('details.op').length === n, count, { timeout: 10_000 });
      expect(await tab.locator('details.op code', { hasText: '/deliveries/{id}/milestones' }).count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
