import { afterAll, describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, createDriverAt, DEMO_PASSWORD, isolatedArea, type TestApi } from '../support/harness.js';
import { claimsOf, closeSql, expectProblem, registerAndLogin, sql, strongPassword, uniqueEmail } from './support.js';

const it = apiTest();

const register = (api: TestApi, body: unknown) => call(api.url, 'POST', '/api/v1/auth/register', { body });
const me = (api: TestApi, token: string) => call(api.url, 'GET', '/api/v1/auth/me', { token });
const refresh = (api: TestApi, refreshToken: string) => call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });

describe('accounts and sessions', () => {
  afterAll(() => closeSql());

  describe('registration', () => {
    it('creates a customer and stores only an argon2id hash with the OWASP parameters', async ({ api }) => {
      const email = uniqueEmail('Reg').toUpperCase();
      const password = strongPassword();
      const res = await register(api, { email: `  ${email} `, password, name: 'Rita Register' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ user: { id: expect.any(String), email: email.toLowerCase(), name: 'Rita Register', role: 'customer' } });

      const [row] = await sql('SELECT password_hash FROM users WHERE id = $1', [res.body.user.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row.password_hash).not.toContain(password);
      // The address is case-insensitive: logging in with another case works.
      expect((await call(api.url, 'POST', '/api/v1/auth/login', { body: { email, password } })).status).toBe(200);
    });

    it('makes no second account with the same e-mail, in any case, and does not say so', async ({ api }) => {
      const email = uniqueEmail('dup');
      expect((await register(api, { email, password: strongPassword(), name: 'First' })).status).toBe(201);
      // Answered like a new account, so sign-up cannot tell who has one (docs/RELIABILITY.md).
      expect((await register(api, { email: email.toUpperCase(), password: strongPassword(), name: 'Second' })).status).toBe(201);
      const [{ n }] = await sql('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
      expect(n).toBe(1);
    });

    it.for([
      ['9 characters', 'abcdefgh9'],
      ['129 characters', 'x'.repeat(64) + 'y'.repeat(65)],
      ['a listed common password', 'password123'],
      ['a listed common password in capitals', 'QWERTYUIOP'],
      ['another listed one', '1q2w3e4r5t'],
      ['one repeated character', 'zzzzzzzzzzzz'],
    ])('refuses %s as a password', async ([, password], { api }) => {
      const res = await register(api, { email: uniqueEmail(), password, name: 'Weak' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.password');
    });

    it('accepts a password of exactly 10 and of exactly 128 characters', async ({ api }) => {
      expect((await register(api, { email: uniqueEmail(), password: 'k7#Qm2!vXa', name: 'Ten' })).status).toBe(201);
      expect((await register(api, { email: uniqueEmail(), password: 'q'.repeat(60) + 'Z9'.repeat(34), name: 'Max' })).status).toBe(201);
    });

    it('never lets the caller choose a role', async ({ api }) => {
      const res = await register(api, { email: uniqueEmail(), password: strongPassword(), name: 'Mallory', role: 'admin' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/role/);
    });
  });

  describe('login', () => {
    it('returns a 15-minute HS256 access token for this issuer and audience, a refresh token and the user', async ({ api }) => {
      const res = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: 'dispatcher@example.com', password: DEMO_PASSWORD() } });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ email: 'dispatcher@example.com', role: 'dispatcher', name: expect.any(String) });
      const header = JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString());
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = claimsOf(res.body.accessToken);
      expect(claims).toMatchObject({ sub: res.body.user.id, iss: 'logistics-platform', aud: 'logistics-api', role: 'dispatcher', typ: 'access' });
      expect(claims.exp - claims.iat).toBe(15 * 60);
      expect(res.body.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      // Only a hash of the refresh token is stored.
      expect(await sql('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [res.body.refreshToken])).toHaveLength(0);
    });

    it('gives drivers their driver id', async ({ api, dispatcher }) => {
      const driver = await createDriverAt(api.url, dispatcher, isolatedArea(), { onDuty: false });
      expect(driver.user).toMatchObject({ role: 'driver', driverId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(claimsOf(driver.token).did).toBe(driver.user.driverId);
    });

    it('answers a wrong password and an unknown e-mail alike', async ({ api }) => {
      const wrong = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: 'customer@example.com', password: 'not-the-password' } });
      const unknown = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: uniqueEmail('nobody'), password: 'not-the-password' } });
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
      expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
      expect(unknown.body.detail).toBe(wrong.body.detail);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh token on every use', async ({ api }) => {
      const s = await registerAndLogin(api.url);
      const first = await refresh(api, s.refreshToken);
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).not.toBe(s.refreshToken);
      expect(first.body.user.id).toBe(s.user.id);
      expect((await me(api, first.body.accessToken)).status).toBe(200);
      const second = await refresh(api, first.body.refreshToken);
      expect(second.status).toBe(200);
      // The rotated tokens keep the session: the first access token still works.
      expect((await me(api, s.token)).status).toBe(200);
    });

    it('refuses an unknown refresh token', async ({ api }) => {
      expectProblem(await refresh(api, `rt_${'A'.repeat(43)}`), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('on reuse of a rotated token revokes the whole family, leaving other sessions alone', async ({ api }) => {
      const s = await registerAndLogin(api.url);
      const other = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: s.password } });
      const rotated = await refresh(api, s.refreshToken);
      expect(rotated.status).toBe(200);

      expectProblem(await refresh(api, s.refreshToken), 401, 'REFRESH_REUSED');
      // Whoever holds the newest token of the family is out too: it may be the thief.
      expectProblem(await refresh(api, rotated.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await me(api, rotated.body.accessToken), 401, 'SESSION_ENDED');
      expectProblem(await me(api, s.token), 401, 'SESSION_ENDED');

      expect((await me(api, other.body.accessToken)).status).toBe(200);
      expect((await refresh(api, other.body.refreshToken)).status).toBe(200);
    });
  });

  describe('logout', () => {
    it('revokes the session: its refresh token and its access token stop working', async ({ api }) => {
      const s = await registerAndLogin(api.url);
      const res = await call(api.url, 'POST', '/api/v1/auth/logout', { token: s.token, body: { refreshToken: s.refreshToken } });
      expect(res.status).toBe(204);
      expectProblem(await refresh(api, s.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await me(api, s.token), 401, 'SESSION_ENDED');
    });

    it('needs a signed-in caller, and cannot end another user’s session', async ({ api }) => {
      const victim = await registerAndLogin(api.url);
      const attacker = await registerAndLogin(api.url);
      expectProblem(await call(api.url, 'POST', '/api/v1/auth/logout', { body: { refreshToken: victim.refreshToken } }), 401);
      const res = await call(api.url, 'POST', '/api/v1/auth/logout', { token: attacker.token, body: { refreshToken: victim.refreshToken } });
      expect(res.status).toBe(204);
      expect((await refresh(api, victim.refreshToken)).status).toBe(200);
    });
  });

  describe('disabling an account', () => {
    it('ends every session at once and refuses new ones', async ({ api, admin }) => {
      const s = await registerAndLogin(api.url);
      const second = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: s.password } });
      const res = await call(api.url, 'POST', `/api/v1/users/${s.user.id}/disable`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ id: s.user.id, role: 'customer', disabledAt: expect.any(String) });

      expectProblem(await me(api, s.token), 401, 'SESSION_ENDED');
      expectProblem(await me(api, second.body.accessToken), 401, 'SESSION_ENDED');
      expectProblem(await refresh(api, s.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await refresh(api, second.body.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
      expectProblem(await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: s.password } }), 401, 'INVALID_CREDENTIALS');
      const [{ n }] = await sql('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [s.user.id]);
      expect(n).toBe(0);
    });

    it('takes a driver off duty and off the roster', async ({ api, admin, dispatcher }) => {
      const driver = await createDriverAt(api.url, dispatcher, isolatedArea());
      const res = await call(api.url, 'POST', `/api/v1/users/${driver.user.id}/disable`, { token: admin.token });
      expect(res.status).toBe(200);
      const roster = await call(api.url, 'GET', '/api/v1/drivers', { token: dispatcher.token });
      expect(roster.body.items.map((d: { id: string }) => d.id)).not.toContain(driver.user.driverId);
      const [row] = await sql('SELECT on_duty FROM drivers WHERE id = $1', [driver.user.driverId]);
      expect(row.on_duty).toBe(false);
    });

    it('answers 404 for an unknown account and 409 for the admin’s own', async ({ api, admin }) => {
      expectProblem(await call(api.url, 'POST', '/api/v1/users/00000000-0000-4000-8000-000000000001/disable', { token: admin.token }), 404, 'NOT_FOUND');
      expectProblem(await call(api.url, 'POST', '/api/v1/users/not-a-uuid/disable', { token: admin.token }), 404, 'NOT_FOUND');
      expectProblem(await call(api.url, 'POST', `/api/v1/users/${admin.user.id}/disable`, { token: admin.token }), 409, 'CANNOT_DISABLE_SELF');
    });
  });

  it('GET /auth/me names the caller without session internals', async ({ api }) => {
    const s = await registerAndLogin(api.url, 'Mia Me');
    const res = await me(api, s.token);
    expect(res.body).toEqual({ user: { id: s.user.id, email: s.email, name: 'Mia Me', role: 'customer' } });
  });
});
