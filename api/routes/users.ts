import type { AuthService } from '../auth/auth-service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { route, type Resource, type SignIn } from '../route.js';
import { isUuid, noBodySchema } from '../validate.js';

export function userRoutes(deps: { accounts: AuthService; auth: SignIn }): Resource {
  return {
    prefix: '/users',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/users/:id/disable', summary: 'Disable an account: every session, socket and duty ends',
        // Its deliveries and history stay.
        roles: ['admin'], body: noBodySchema, bodyOptional: true, ok: 200,
        handler: async (ctx) => {
          const userId = ctx.params.id ?? '';
          if (!isUuid(userId)) throw new NotFoundError('user');
          if (userId === ctx.state.user!.id) throw new ConflictError('an admin cannot disable their own account', 'CANNOT_DISABLE_SELF');
          const user = await deps.accounts.disableUser(userId);
          return { user: { id: user.id, email: user.email, name: user.name, role: user.role, disabledAt: user.disabledAt?.toISOString() ?? null } };
        },
      }),
    ],
  };
}
