import Router from '@koa/router';
import type { Middleware } from 'koa';
import { loginSchema, refreshSchema, registerSchema } from '../../domain/schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import { authenticate } from '../auth/middleware.js';
import type { TokenService } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';
import { consume, loginSucceeded, spendLoginAttempt, type RateLimits } from '../rate-limits.js';
import type { AppState } from '../types.js';
import { noBodySchema, validate } from '../validate.js';
import { answerWithCookie, clearRefreshCookie, refreshTokenFromCookie, wantsRefreshCookie } from '../auth/refresh-cookie.js';

/** A browser in cookie mode sends no refresh token in the body (it is in the cookie); API clients send it. */
function refreshBody(): Middleware<AppState> {
  const inBody = validate('body', refreshSchema);
  const inCookie = validate('body', noBodySchema);
  return (ctx, next) => (wantsRefreshCookie(ctx as never) ? inCookie : inBody)(ctx, next);
}

/** The refresh token a request presents: from the cookie in cookie mode, from the body otherwise. */
function presentedRefreshToken(ctx: Parameters<Middleware<AppState>>[0]): string {
  if (!wantsRefreshCookie(ctx as never)) return (ctx.state.body as { refreshToken: string }).refreshToken;
  const token = refreshTokenFromCookie(ctx as never);
  if (!token) throw new UnauthorizedError('no refresh cookie; sign in again', 'INVALID_REFRESH_TOKEN');
  return token;
}

export function authRoutes(deps: { auth: AuthService; tokens: TokenService; limits: RateLimits; parseBody: Middleware<AppState>; refreshTtlSeconds: number }): Router<AppState> {
  const { auth, limits } = deps;
  const answer = (ctx: Parameters<Middleware<AppState>>[0], tokens: Awaited<ReturnType<AuthService['startSession']>>) =>
    wantsRefreshCookie(ctx as never) ? answerWithCookie(ctx as never, tokens, deps.refreshTtlSeconds) : tokens;
  const router = new Router<AppState>({ prefix: '/api/v1/auth' });
  // The one router whose bodies come from people not signed in yet (credentials, refresh tokens).
  router.use(deps.parseBody);

  router.post('/register', validate('body', registerSchema), async (ctx) => {
    await consume(limits.registerByIp, ctx.ip, 'too many sign-ups from this address; try again later');
    ctx.status = 201;
    ctx.body = { user: await auth.register(ctx.state.body as { email: string; password: string; name: string }) };
  });

  router.post('/login', validate('body', loginSchema), async (ctx) => {
    const { email, password } = ctx.state.body as { email: string; password: string };
    await spendLoginAttempt(limits, email, ctx.ip);
    const user = await auth.checkCredentials(email, password);
    if (!user) {
      ctx.state.log.info({ event: 'login_failed' }, 'login failed');
      throw new UnauthorizedError('wrong e-mail or password', 'INVALID_CREDENTIALS');
    }
    await loginSucceeded(limits, email, ctx.ip);
    ctx.body = answer(ctx, await auth.startSession(user));
  });

  router.post('/refresh', refreshBody(), async (ctx) => {
    await consume(limits.publicByIp, `refresh:${ctx.ip}`);
    try {
      ctx.body = answer(ctx, await auth.refresh(presentedRefreshToken(ctx)));
    } catch (err) {
      if (wantsRefreshCookie(ctx as never) && err instanceof UnauthorizedError) clearRefreshCookie(ctx as never);
      throw err;
    }
  });

  router.post('/logout', authenticate(deps.tokens, auth), refreshBody(), async (ctx) => {
    const cookie = wantsRefreshCookie(ctx as never);
    // Without a cookie the session of the access token still ends.
    await auth.logout(ctx.state.user!, cookie ? (refreshTokenFromCookie(ctx as never) ?? '') : presentedRefreshToken(ctx));
    if (cookie) clearRefreshCookie(ctx as never);
    ctx.status = 204;
  });

  router.get('/me', authenticate(deps.tokens, auth), async (ctx) => {
    const { sessionId: _sessionId, ...user } = ctx.state.user!;
    ctx.body = { user };
  });

  return router;
}
