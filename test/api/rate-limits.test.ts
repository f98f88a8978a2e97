import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, type TestApi } from '../support/harness.js';
import { expectProblem, ownRedisPrefix, registerAndLogin, uniqueEmail, uniqueIp } from './support.js';

const loginAs = (api: TestApi, email: string, password: string, headers: Record<string, string> = {}) =>
  call(api.url, 'POST', '/api/v1/auth/login', { body: { email, password }, headers });

/** The 429 of a blocked login, with a Retry-After of about the 15-minute block. */
function expectLoginBlocked(res: Awaited<ReturnType<typeof loginAs>>, minSeconds = 60): void {
  expectProblem(res, 429, 'RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(minSeconds);
  expect(retryAfter).toBeLessThanOrEqual(60 * 60);
}

describe('login limits without a trusted proxy', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('rl1') });
  });
  afterAll(() => api?.close());

  it('answers the 11th bad login in a row with 429 and Retry-After, whatever X-Forwarded-For says', async () => {
    const victim = await registerAndLogin(api.url);
    for (let i = 1; i <= 10; i++) {
      const res = await loginAs(api, victim.email, `wrong-password-${i}`, { 'x-forwarded-for': uniqueIp() });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    }
    expectLoginBlocked(await loginAs(api, victim.email, 'wrong-password-11', { 'x-forwarded-for': uniqueIp() }), 14 * 60);
    // Blocked means blocked: the right password does not get through either, from any claimed address.
    expectLoginBlocked(await loginAs(api, victim.email, victim.password, { 'x-forwarded-for': uniqueIp() }));
    expectLoginBlocked(await loginAs(api, victim.email, victim.password, { 'x-forwarded-for': `${uniqueIp()}, ${uniqueIp()}`, 'x-real-ip': uniqueIp() }));
    // The account's live sessions are untouched, and another account from the same address can still log in.
    expect((await call(api.url, 'GET', '/api/v1/auth/me', { token: victim.token })).status).toBe(200);
    const other = await registerAndLogin(api.url);
    expect((await loginAs(api, other.email, other.password)).status).toBe(200);
  });

  it('counts failures in a row: a successful login starts the count again', async () => {
    const user = await registerAndLogin(api.url);
    for (let i = 0; i < 9; i++) expect((await loginAs(api, user.email, 'wrong-password')).status).toBe(401);
    expect((await loginAs(api, user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await loginAs(api, user.email, 'wrong-password')).status).toBe(401);
    expect((await loginAs(api, user.email, user.password)).status).toBe(200);
  });

  it('does not let parallel guesses slip past the limit', async () => {
    const user = await registerAndLogin(api.url);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => loginAs(api, user.email, `guess-${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });
});

describe('login limits behind one trusted proxy', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('rl2'), TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '1' });
  });
  afterAll(() => api?.close());

  /** What the proxy forwards: whatever the client claimed, then the address the proxy saw. */
  const viaProxy = (clientAddress: string) => ({ 'x-forwarded-for': `${uniqueIp()}, ${uniqueIp()}, ${clientAddress}` });

  it('keys on the address the proxy saw; addresses the client prepends change nothing', async () => {
    const victim = await registerAndLogin(api.url);
    const attacker = uniqueIp();
    for (let i = 0; i < 10; i++) expect((await loginAs(api, victim.email, 'wrong-password', viaProxy(attacker))).status).toBe(401);
    expectLoginBlocked(await loginAs(api, victim.email, 'wrong-password', viaProxy(attacker)));
    // The real owner, behind the same proxy from elsewhere, still gets in.
    expect((await loginAs(api, victim.email, victim.password, viaProxy(uniqueIp()))).status).toBe(200);
  });

  it('blocks one address that fails across many accounts (credential stuffing)', async () => {
    const stuffer = uniqueIp();
    const bad = await Promise.all(
      Array.from({ length: 100 }, (_, i) => loginAs(api, uniqueEmail(`stuffed${i}`), 'Summer2024!!', viaProxy(stuffer))),
    );
    expect(bad.every((r) => r.status === 401)).toBe(true);
    const fresh = await registerAndLogin(api.url);
    expectLoginBlocked(await loginAs(api, fresh.email, fresh.password, viaProxy(stuffer)), 50 * 60);
    expect((await loginAs(api, fresh.email, fresh.password, viaProxy(uniqueIp()))).status).toBe(200);
  });
});

describe('the general per-user limit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('rl3'), RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => api?.close());

  it('answers the request past the per-minute budget with 429 and Retry-After, per user', async () => {
    const [a, b] = await Promise.all([registerAndLogin(api.url), registerAndLogin(api.url)]);
    for (let i = 0; i < 5; i++) expect((await call(api.url, 'GET', '/api/v1/deliveries', { token: a.token })).status).toBe(200);
    const over = await call(api.url, 'GET', '/api/v1/deliveries', { token: a.token });
    expectProblem(over, 429, 'RATE_LIMITED');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(api.url, 'GET', '/api/v1/deliveries', { token: b.token })).status).toBe(200);
  });

  it('limits public tracking reads per address, at ten times the per-user budget', async () => {
    const read = () => call(api.url, 'GET', '/api/v1/track/0000000000000000');
    for (let i = 0; i < 50; i++) expectProblem(await read(), 404, 'NOT_FOUND');
    expectProblem(await read(), 429, 'RATE_LIMITED');
  });
});
