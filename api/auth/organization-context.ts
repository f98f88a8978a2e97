/**
 * Which organisation a request acts in. A person picks one per request with `X-Organization-Id`
 * (without it they act for themselves, as before organisations existed); membership is read from
 * Postgres on every such request, so a removed member is refused on the next one, on every instance.
 * An API key always acts in its own organisation.
 */
import type { Middleware } from 'koa';
import type { OrganizationStore } from '../../db/organizations.js';
import { NotFoundError } from '../errors.js';
import type { AppState } from '../types.js';
import { isUuid } from '../validate.js';

export function organizationContext(store: Pick<OrganizationStore, 'roleOf'>): Middleware<AppState> {
  const checked: Middleware<AppState> = async (ctx, next) => {
    const user = ctx.state.user;
    const picked = ctx.get('x-organization-id').trim();
    if (user?.apiKey) {
      if (picked && picked.toLowerCase() !== user.organizationId) throw new NotFoundError('organization');
    } else if (user && picked) {
      // Someone else's organisation and one that does not exist look the same.
      const role = isUuid(picked) ? await store.roleOf(picked.toLowerCase(), user.id) : null;
      if (!role) throw new NotFoundError('organization');
      ctx.state.user = { ...user, organizationId: picked.toLowerCase(), organizationRole: role };
    }
    await next();
  };
  // Without the header there is nothing to check (most requests): no promise of its own.
  return (ctx, next) => (ctx.get('x-organization-id').trim() ? checked(ctx, next) : next());
}
