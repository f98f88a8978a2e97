import Router from '@koa/router';
import { loginSchema, refreshSchema, registerSchema } from '../../domain/schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import { authenticate } from '../auth/middleware.js';
import type { TokenService } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';
import { consume, ensureNotBlocked, type RateLimits } from '../rate-limits.js';
import type { AppState } from '../types.js';
import { validate } from '../validate.js';

export function authRoutes(deps: { auth: AuthService; tokens: TokenService; limits: RateLimits }): Router<AppState> {
  const { auth, limits } = deps;
  const router = new Router<AppState>({ prefix: '/api/v1/auth' });

  router.post('/register', validate('body', registerSchema), async (ctx) => {
    await consume(limits.publicByIp, `register:${ctx.ip}`);
    const body = ctx.state.body as { email: string; password: string; name: string };
    const user = await auth.createUser({ ...body, role: 'customer' });
    ctx.status = 201;
    ctx.body = { user: await auth.publicUser(user) };
  });

  router.post('/login', validate('body', loginSchema), async (ctx) => {
    const { email, password } = ctx.state.body as { email: string; password: string };
    const userIpKey = `${email}|${ctx.ip}`;
    const message = 'too many failed logins; try again later';
    await ensureNotBlocked(limits.loginByUserAndIp, userIpKey, message);
    await ensureNotBlocked(limits.loginByIp, ctx.ip, message);
    const user = await auth.checkCredentials(email, password);
    if (!user) {
      await Promise.all([
        limits.loginByUserAndIp.penalty(userIpKey, 1),
        limits.loginByIp.penalty(ctx.ip, 1),
      ]);
      ctx.state.log.info({ event: 'login_failed' }, 'login failed');
      throw new UnauthorizedError('wrong e-mail or password', 'INVALID_CREDENTIALS');
    }
    await limits.loginByUserAndIp.delete(userIpKey);
    ctx.body = await auth.startSession(user);
  });

  router.post('/refresh', validate('body', refreshSchema), async (ctx) => {
    await consume(limits.publicByIp, `refresh:${ctx.ip}`);
    ctx.body = await auth.refresh((ctx.state.body as { refreshToken: string }).refreshToken);
  });

  router.post('/logout', authenticate(deps.tokens, auth), validate('body', refreshSchema), async (ctx) => {
    await auth.logout(ctx.state.user!.id, (ctx.state.body as { refreshToken: string }).refreshToken);
    ctx.status = 204;
  });

  router.get('/me', authenticate(deps.tokens, auth), async (ctx) => {
    ctx.body = { user: ctx.state.user };
  });

  return router;
}
