/**
 * Every API instance remembers live sessions for SESSION_CACHE_MS. A session ended on one instance must
 * stop working on the others as soon as they hear of it, not when their memory of it runs out; and when
 * they cannot hear of it, no later than that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, startTestApi, waitFor, type Session, type TestApi } from '../support/harness.js';
import { closeSql, expectProblem, ownRedisPrefix, registerAndLogin } from './support.js';

/** Long enough that only the announcement can explain a refusal within the test. */
const REMEMBER_MS = '60000';

describe('sessions ended on one API instance', () => {
  let a: TestApi;
  let b: TestApi;
  let deaf: TestApi;
  let admin: Session;

  beforeAll(async () => {
    const prefix = ownRedisPrefix('sessions');
    [a, b, deaf] = await Promise.all([
      startTestApi({ SESSION_CACHE_MS: REMEMBER_MS, REDIS_PREFIX: prefix }),
      startTestApi({ SESSION_CACHE_MS: REMEMBER_MS, REDIS_PREFIX: prefix }),
      // Another prefix: it never hears the others' announcements, as when Redis loses them.
      startTestApi({ SESSION_CACHE_MS: '1500', REDIS_PREFIX: `${prefix}x` }),
    ]);
    admin = await login(a.url, 'admin@example.com');
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), deaf?.close()]);
    await closeSql();
  });

  const me = (api: TestApi, token: string) => call(api.url, 'GET', '/api/v1/auth/me', { token });
  const ended = (api: TestApi, token: string) => waitFor('the session to end there', async () => (await me(api, token)).status === 401, 3000, 20);

  it('end on the other instances when announced: logout', async () => {
    const s = await registerAndLogin(a.url);
    expect((await me(b, s.token)).status).toBe(200);
    expect((await call(a.url, 'POST', '/api/v1/auth/logout', { token: s.token, body: { refreshToken: s.refreshToken } })).status).toBe(204);
    expectProblem(await me(a, s.token), 401, 'SESSION_ENDED');
    await ended(b, s.token);
    expectProblem(await me(b, s.token), 401, 'SESSION_ENDED');
  });

  it('end on the other instances when announced: a disabled account, every sign-in', async () => {
    const s = await registerAndLogin(a.url);
    const second = (await call(a.url, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: s.password } })).body.accessToken as string;
    expect((await me(b, s.token)).status).toBe(200);
    expect((await me(b, second)).status).toBe(200);
    expect((await call(a.url, 'POST', `/api/v1/users/${s.user.id}/disable`, { token: admin.token })).status).toBe(200);
    await ended(b, s.token);
    await ended(b, second);
  });

  it('end on the other instances when announced: a reused refresh token', async () => {
    const s = await registerAndLogin(a.url);
    expect((await me(b, s.token)).status).toBe(200);
    expect((await call(a.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).status).toBe(200);
    expect((await call(a.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).status).toBe(401);
    await ended(b, s.token);
  });

  it('end on an instance that missed the announcement once it has forgotten them (SESSION_CACHE_MS)', async () => {
    const s = await registerAndLogin(a.url);
    expect((await me(deaf, s.token)).status).toBe(200);
    const loggedOutAt = Date.now();
    expect((await call(a.url, 'POST', '/api/v1/auth/logout', { token: s.token, body: { refreshToken: s.refreshToken } })).status).toBe(204);
    await waitFor('the remembered session to run out', async () => (await me(deaf, s.token)).status === 401, 5000, 50);
    expect(Date.now() - loggedOutAt).toBeLessThan(1500 + 1000);
  });
});
