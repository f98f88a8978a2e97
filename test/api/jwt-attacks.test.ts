import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { call, env } from '../support/harness.js';
import { claimsOf, expectProblem, registerAndLogin } from './support.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const key = () => new TextEncoder().encode(env().JWT_SECRET!);

const sign = (claims: JWTPayload, alg = 'HS256', secret = key()) =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(secret);

interface Attack {
  /** A customer whose genuine token the attacks start from, and its claims. */
  victim: Awaited<ReturnType<typeof registerAndLogin>>;
  valid: JWTPayload;
  /** A protected route that a customer may use; a 200 here means the token was accepted. */
  probe: (authorization?: string) => ReturnType<typeof call>;
  expect401: (authorization: string | undefined, code?: string) => Promise<void>;
}

const it = apiTest().extend<Attack>({
  victim: [async ({ api }, use) => use(await registerAndLogin(api.url, 'Vic Victim')), { scope: 'file' }],
  valid: [async ({ victim }, use) => use(claimsOf(victim.token)), { scope: 'file' }],
  probe: [
    async ({ api }, use) => use((authorization) => call(api.url, 'GET', '/api/v1/deliveries', { headers: authorization === undefined ? {} : { authorization } })),
    { scope: 'file' },
  ],
  expect401: [
    async ({ probe }, use) =>
      use(async (authorization, code) => {
        const res = await probe(authorization);
        expectProblem(res, 401, code);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }),
    { scope: 'file' },
  ],
});

describe('access-token attacks all get 401', () => {
  it('accepts the genuine token (the probe can succeed)', async ({ victim, valid, probe }) => {
    expect((await probe(`Bearer ${victim.token}`)).status).toBe(200);
    // The same claims re-signed with the real key pass too, so the refusals below are about what changed.
    expect((await probe(`Bearer ${await sign(valid)}`)).status).toBe(200);
  });

  it('no token, an empty one, another scheme', async ({ expect401 }) => {
    await expect401(undefined, 'UNAUTHORIZED');
    await expect401('Bearer ', 'UNAUTHORIZED');
    await expect401(`Basic ${Buffer.from('customer@example.com:x').toString('base64')}`, 'UNAUTHORIZED');
    await expect401('Bearer not-a-jwt', 'INVALID_TOKEN');
  });

  it('alg: none', async ({ victim, valid, expect401 }) => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid)}.`;
    await expect401(`Bearer ${unsigned}`, 'INVALID_TOKEN');
    // Also with the original signature left on.
    await expect401(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid)}.${victim.token.split('.')[2]}`, 'INVALID_TOKEN');
  });

  it('a bad signature: another key, or a payload edited under the real signature', async ({ victim, valid, expect401 }) => {
    await expect401(`Bearer ${await sign(valid, 'HS256', new TextEncoder().encode('another-secret-0123456789abcdef0123456789'))}`, 'INVALID_TOKEN');
    const [header, , signature] = victim.token.split('.');
    await expect401(`Bearer ${header}.${b64({ ...valid, role: 'admin' })}.${signature}`, 'INVALID_TOKEN');
  });

  it('an algorithm off the allow-list, even with the right key', async ({ valid, expect401 }) => {
    await expect401(`Bearer ${await sign(valid, 'HS512')}`, 'INVALID_TOKEN');
    await expect401(`Bearer ${await sign(valid, 'HS384')}`, 'INVALID_TOKEN');
  });

  it('expired', async ({ valid, expect401 }) => {
    const now = Math.floor(Date.now() / 1000);
    await expect401(`Bearer ${await sign({ ...valid, iat: now - 3600, exp: now - 60 })}`, 'INVALID_TOKEN');
  });

  it('issued too long ago, even with a far expiry', async ({ valid, expect401 }) => {
    const now = Math.floor(Date.now() / 1000);
    await expect401(`Bearer ${await sign({ ...valid, iat: now - 24 * 3600, exp: now + 3600 })}`, 'INVALID_TOKEN');
  });

  it('wrong audience, wrong issuer, missing audience', async ({ valid, expect401 }) => {
    await expect401(`Bearer ${await sign({ ...valid, aud: 'another-api' })}`, 'INVALID_TOKEN');
    await expect401(`Bearer ${await sign({ ...valid, iss: 'someone-else' })}`, 'INVALID_TOKEN');
    const { aud: _aud, ...noAudience } = valid;
    await expect401(`Bearer ${await sign(noAudience)}`, 'INVALID_TOKEN');
  });

  it('a refresh token used as an access token', async ({ victim, expect401 }) => {
    await expect401(`Bearer ${victim.refreshToken}`, 'INVALID_TOKEN');
  });

  it('a signed token that is not an access token, or names no session', async ({ valid, expect401 }) => {
    await expect401(`Bearer ${await sign({ ...valid, typ: 'refresh' })}`, 'INVALID_TOKEN');
    const { sid: _sid, ...noSession } = valid;
    await expect401(`Bearer ${await sign(noSession)}`, 'INVALID_TOKEN');
    await expect401(`Bearer ${await sign({ ...valid, sid: '00000000-0000-4000-8000-000000000000' })}`, 'SESSION_ENDED');
    await expect401(`Bearer ${await sign({ ...valid, sub: '00000000-0000-4000-8000-000000000000' })}`, 'SESSION_ENDED');
  });

  it('the role comes from the account, not from the token', async ({ api, valid }) => {
    const res = await call(api.url, 'GET', '/api/v1/drivers', { token: await sign({ ...valid, role: 'admin' }) });
    expectProblem(res, 403, 'FORBIDDEN');
  });

  it('an access token is no refresh token', async ({ api, victim }) => {
    const res = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: victim.token.slice(0, 200) } });
    expect([400, 401]).toContain(res.status);
  });

  it('refresh-token reuse revokes the family: every token and access token of it stops', async ({ api }) => {
    const s = await registerAndLogin(api.url);
    const r1 = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    const r2 = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
    expect([r1.status, r2.status]).toEqual([200, 200]);

    const replay = await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expectProblem(replay, 401, 'REFRESH_REUSED');
    for (const t of [s.token, r1.body.accessToken, r2.body.accessToken]) {
      expectProblem(await call(api.url, 'GET', '/api/v1/auth/me', { token: t }), 401, 'SESSION_ENDED');
    }
    expectProblem(await call(api.url, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: r2.body.refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
  });
});
