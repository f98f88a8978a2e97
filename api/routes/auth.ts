import type { Middleware } from 'koa';
import { loginSchema, refreshSchema, registerSchema } from '../../domain/schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import { authenticate } from '../auth/middleware.js';
import type { TokenService } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';
import { consume, loginSucceeded, spendLoginAttempt, type RateLimits } from '../rate-limits.js';
import { route, type Resource, type RouteContext } from '../route.js';
import type { AppState } from '../types.js';
import { noBodySchema } from '../validate.js';
import { answerWithCookie, clearRefreshCookie, refreshTokenFromCookie, wantsRefreshCookie } from '../auth/refresh-cookie.js';

/** A browser in cookie mode sends no refresh token in the body (it is in the cookie); API clients send it. */
const refreshBodyFor = (ctx: RouteContext) => (wantsRefreshCookie(ctx as never) ? noBodySchema : refreshSchema);

/** The refresh token a request presents: from the cookie in cookie mode, from the body otherwise. */
function presentedRefreshToken(ctx: RouteContext<{ refreshToken?: string }>): string {
  if (!wantsRefreshCookie(ctx as never)) return ctx.state.body.refreshToken!;
  const token = refreshTokenFromCookie(ctx as never);
  if (!token) throw new UnauthorizedError('no refresh cookie; sign in again', 'INVALID_REFRESH_TOKEN');
  return token;
}

export function authRoutes(deps: { auth: AuthService; tokens: TokenService; limits: RateLimits; parseBody: Middleware<AppState>; refreshTtlSeconds: number }): Resource {
  const { auth, limits } = deps;
  const people = authenticate(deps.tokens, auth);
  const answer = (ctx: RouteContext, tokens: Awaited<ReturnType<AuthService['startSession']>>) =>
    wantsRefreshCookie(ctx as never) ? answerWithCookie(ctx as never, tokens, deps.refreshTtlSeconds) : tokens;
  return {
    prefix: '/auth',
    // The one resource whose bodies come from people not signed in yet (credentials, refresh tokens).
    use: [deps.parseBody],
    // A person's access token only: an account's own routes never take API keys.
    authenticate: () => people,
    routes: [
      route({
        method: 'post', path: '/auth/register', summary: 'Register a customer account', roles: 'anyone', body: registerSchema, ok: 201,
        handler: async (ctx) => {
          await consume(limits.registerByIp, ctx.ip, 'too many sign-ups from this address; try again later');
          return { user: await auth.register(ctx.state.body) };
        },
      }),
      route({
        method: 'post', path: '/auth/login', summary: 'Log in: access and refresh tokens', roles: 'anyone', body: loginSchema, ok: 200,
        handler: async (ctx) => {
          const { email, password } = ctx.state.body;
          await spendLoginAttempt(limits, email, ctx.ip);
          const user = await auth.checkCredentials(email, password);
          if (!user) {
            ctx.state.log.info({ event: 'login_failed' }, 'login failed');
            throw new UnauthorizedError('wrong e-mail or password', 'INVALID_CREDENTIALS');
          }
          await loginSucceeded(limits, email, ctx.ip);
          return answer(ctx, await auth.startSession(user));
        },
      }),
      route({
        method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token; reuse revokes the family', roles: 'anyone',
        body: refreshSchema, bodyFor: refreshBodyFor, ok: 200,
        handler: async (ctx) => {
          await consume(limits.publicByIp, `refresh:${ctx.ip}`);
          try {
            return answer(ctx, await auth.refresh(presentedRefreshToken(ctx)));
          } catch (err) {
            if (wantsRefreshCookie(ctx as never) && err instanceof UnauthorizedError) clearRefreshCookie(ctx as never);
            throw err;
          }
        },
      }),
      route({
        method: 'post', path: '/auth/logout', summary: 'Revoke the session', roles: 'user', body: refreshSchema, bodyFor: refreshBodyFor, ok: 204,
        handler: async (ctx) => {
          const cookie = wantsRefreshCookie(ctx as never);
          // Without a cookie the session of the access token still ends.
          await auth.logout(ctx.state.user!, cookie ? (refreshTokenFromCookie(ctx as never) ?? '') : presentedRefreshToken(ctx));
          if (cookie) clearRefreshCookie(ctx as never);
        },
      }),
      route({
        method: 'get', path: '/auth/me', summary: 'The signed-in account', roles: 'user', ok: 200,
        handler: (ctx) => {
          const { sessionId: _sessionId, ...user } = ctx.state.user!;
          return { user };
        },
      }),
    ],
  };
}
