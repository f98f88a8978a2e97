import Router from '@koa/router';
import type { Middleware } from 'koa';
import { loginSchema, refreshSchema, registerSchema } from '../../domain/schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import { authenticate } from '../auth/middleware.js';
import type { TokenService } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';
import { consume, loginSucceeded, spendLoginAttempt, type RateLimits } from '../rate-limits.js';
import type { AppState } from '../types.js';
import { validate } from '../validate.js';

export function authRoutes(deps: { auth: AuthService; tokens: TokenService; limits: RateLimits; parseBody: Middleware<AppState> }): Router<AppState> {
  const { auth, limits } = deps;
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
    ctx.body = await auth.startSession(user);
  });

  router.post('/refresh', validate('body', refreshSchema), async (ctx) => {
    await consume(limits.publicByIp, `refresh:${ctx.ip}`);
    ctx.body = await auth.refresh((ctx.state.body as { refreshToken: string }).refreshToken);
  });

  router.post('/logout', authenticate(deps.tokens, auth), validate('body', refreshSchema), async (ctx) => {
    await auth.logout(ctx.state.user!, (ctx.state.body as { refreshToken: string }).refreshToken);
    ctx.status = 204;
  });

  router.get('/me', authenticate(deps.tokens, auth), async (ctx) => {
    const { sessionId: _sessionId, ...user } = ctx.state.user!;
    ctx.body = { user };
  });

  return router;
}
