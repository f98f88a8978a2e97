/**
 * Runs the real API process at LOG_LEVEL=info, drives logins, refreshes and signed-in requests through it,
 * and searches everything it printed for the secrets those requests carried.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deliveryBody, isolatedArea } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { startChild, type ChildService } from '../support/processes.js';
import { ownRedisPrefix, strongPassword, uniqueEmail } from './support.js';

describe('request logs', () => {
  let child: ChildService;
  let base: string;
  let output = '';
  let metrics = '';
  let generatedId: string | null = null;
  const secrets: Record<string, string> = {};
  const requestId = `log-test-${randomUUID()}`;

  beforeAll(async () => {
    const port = await freePort();
    child = await startChild('api/server.ts', { PORT: String(port), LOG_LEVEL: 'info', REDIS_PREFIX: ownRedisPrefix('logs') }, /"api listening"/);
    base = `http://127.0.0.1:${port}`;

    const email = uniqueEmail('logged');
    secrets.password = strongPassword();
    secrets.wrongPassword = `Wr0ng-${randomUUID()}`;
    secrets.malformedPassword = `Half-${randomUUID()}`;
    secrets.commonPassword = 'password1234';
    expect((await call(base, 'POST', '/api/v1/auth/register', { body: { email, password: secrets.password, name: 'Lou Logged' } })).status).toBe(201);
    expect((await call(base, 'POST', '/api/v1/auth/register', { body: { email: uniqueEmail(), password: secrets.commonPassword, name: 'Weak' } })).status).toBe(400);
    expect((await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: secrets.wrongPassword } })).status).toBe(401);
    const malformed = await call(base, 'POST', '/api/v1/auth/login', {
      body: `{"email":"${email}","password":"${secrets.malformedPassword}"`, headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);

    const first = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: secrets.password } });
    expect(first.status).toBe(200);
    secrets.access1 = first.body.accessToken;
    secrets.refresh1 = first.body.refreshToken;
    const rotated = await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: secrets.refresh1 } });
    expect(rotated.status).toBe(200);
    secrets.access2 = rotated.body.accessToken;
    secrets.refresh2 = rotated.body.refreshToken;

    const me = await call(base, 'GET', '/api/v1/auth/me', { token: secrets.access2, headers: { 'x-request-id': requestId } });
    expect(me.headers.get('x-request-id')).toBe(requestId);
    const created = await call(base, 'POST', '/api/v1/deliveries', { token: secrets.access2, body: deliveryBody(isolatedArea()) });
    expect(created.status).toBe(201);
    secrets.trackingCode = created.body.trackingCode;
    expect((await call(base, 'GET', `/api/v1/track/${secrets.trackingCode}`)).status).toBe(200);
    expect((await call(base, 'GET', '/api/v1/deliveries', { token: secrets.access2 })).status).toBe(200);

    secrets.forged = await new SignJWT({ role: 'admin', typ: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(randomUUID())
      .setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('forged-key-0123456789abcdef0123456789'));
    expect((await call(base, 'GET', '/api/v1/deliveries', { token: secrets.forged })).status).toBe(401);
    secrets.basic = Buffer.from(`${email}:${secrets.password}`).toString('base64');
    expect((await call(base, 'GET', '/api/v1/deliveries', { headers: { authorization: `Basic ${secrets.basic}` } })).status).toBe(401);

    expect((await call(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: secrets.refresh1 } })).status).toBe(401);
    const again = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password: secrets.password } });
    secrets.access3 = again.body.accessToken;
    secrets.refresh3 = again.body.refreshToken;
    expect((await call(base, 'POST', '/api/v1/auth/logout', { token: secrets.access3, body: { refreshToken: secrets.refresh3 } })).status).toBe(204);

    generatedId = (await call(base, 'GET', '/api/v1/health')).headers.get('x-request-id');
    metrics = (await call(base, 'GET', '/metrics')).body;

    expect(await child.kill('SIGTERM')).toBe(0);
    output = child.output();
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
  });

  it('captured the process’s request log (the search below is not of an empty text)', () => {
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(14);
    expect(requests.find((l) => l.requestId === requestId)).toMatchObject({ method: 'GET', path: '/api/v1/auth/me', status: 200, user: expect.any(String) });
    expect(lines.some((l) => l.msg === 'login failed')).toBe(true);
    expect(requests.every((l) => typeof l.requestId === 'string' && l.requestId.length > 0)).toBe(true);
  });

  it.each(['password', 'wrongPassword', 'malformedPassword', 'commonPassword', 'access1', 'access2', 'access3', 'refresh1', 'refresh2', 'refresh3', 'forged', 'basic', 'trackingCode'])(
    'never prints the %s',
    (name) => {
      const secret = secrets[name]!;
      expect(secret.length).toBeGreaterThan(8);
      expect(output).not.toContain(secret);
      // Nor the signature of a token on its own.
      if (secret.split('.').length === 3) expect(output).not.toContain(secret.split('.')[2]);
    },
  );

  it('gives every request an id: the caller’s X-Request-Id, or a generated one', () => {
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports RED metrics by route pattern, never by raw path', () => {
    const sample = (route: string, status: number) =>
      Number(new RegExp(`http_requests_total\\{method="POST",route="${route}",status="${status}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(sample('/api/v1/auth/login', 200)).toBe(2);
    expect(sample('/api/v1/auth/login', 401)).toBe(1);
    expect(sample('/api/v1/auth/refresh', 401)).toBe(1);
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/api\/v1\/track\/:trackingCode"\}/);
    expect(metrics).not.toContain(secrets.trackingCode);
  });

  it('prints no Authorization header, Bearer or Basic credential', () => {
    expect(output).not.toMatch(/bearer\s/i);
    expect(output).not.toMatch(/basic\s+[a-z0-9+/=]{8,}/i);
    expect(output).not.toMatch(/"authorization"\s*:\s*"(?!\[redacted\])/i);
  });
});
