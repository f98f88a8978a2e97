import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AuthService } from '../auth/auth-service.js';
import { requireRole } from '../auth/middleware.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppState } from '../types.js';
import { isUuid, noBodySchema, validate } from '../validate.js';

export function userRoutes(deps: { accounts: AuthService; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/users' });
  router.use(deps.auth);

  /** Ends every session, socket and duty of an account at once; its deliveries and history stay. */
  router.post('/:id/disable', requireRole('admin'), validate('body', noBodySchema), async (ctx) => {
    const userId = ctx.params.id ?? '';
    if (!isUuid(userId)) throw new NotFoundError('user');
    if (userId === ctx.state.user!.id) throw new ConflictError('an admin cannot disable their own account', 'CANNOT_DISABLE_SELF');
    const user = await deps.accounts.disableUser(userId);
    ctx.body = {
      user: { id: user.id, email: user.email, name: user.name, role: user.role, disabledAt: user.disabledAt?.toISOString() ?? null },
    };
  });

  return router;
}
