import {
  acceptInviteSchema,
  createApiKeySchema,
  createOrganizationSchema,
  inviteMemberSchema,
  type ApiKeyScope,
  type OrganizationRole,
} from '../../domain/organizations.js';
import { route, type Resource, type SignIn } from '../route.js';
import type { OrganizationsService } from '../services/organizations-service.js';
import type { AuthUser } from '../types.js';

const org = { id: 'organization' };

/** One of an organisation's lists (members, invites, API keys): `{ items }`, for whom `who` says. */
function listRoute(path: string, summary: string, who: string, items: (user: AuthUser, organizationId: string) => Promise<unknown[]>) {
  return route({
    method: 'get', path, summary, roles: 'user', who, ids: org, ok: 200,
    handler: async (ctx) => ({ items: await items(ctx.state.user!, ctx.params.id!) }),
  });
}

/** Removes one entry of such a list, named by the path's last parameter (`param`, an id of `what`). */
function removeRoute(
  path: string,
  summary: string,
  who: string,
  [param, what]: [param: string, what: string],
  remove: (user: AuthUser, organizationId: string, id: string) => Promise<void>,
) {
  return route({
    method: 'delete', path, summary, roles: 'user', who, ids: { ...org, [param]: what }, ok: 204,
    handler: (ctx) => remove(ctx.state.user!, ctx.params.id!, ctx.params[param]!),
  });
}

export function organizationRoutes(deps: { organizations: OrganizationsService; auth: SignIn }): Resource {
  const { organizations } = deps;
  return {
    prefix: '/organizations',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/organizations', summary: 'Create an organisation; you become its owner', roles: ['customer'], body: createOrganizationSchema, ok: 201,
        handler: (ctx) => organizations.create(ctx.state.user!, ctx.state.body.name),
      }),
      route({
        method: 'get', path: '/organizations', summary: 'The organisations you belong to, with your role', roles: 'user', ok: 200,
        handler: async (ctx) => ({ items: await organizations.list(ctx.state.user!) }),
      }),
      route({
        method: 'post', path: '/organizations/join', summary: 'Accept an invite (signed in with the invited e-mail address)', roles: 'user', body: acceptInviteSchema, ok: 200,
        handler: (ctx) => organizations.join(ctx.state.user!, ctx.state.body.token),
      }),
      listRoute('/organizations/:id/members', 'Members and their roles', 'member', (user, id) => organizations.members(user, id)),
      removeRoute(
        '/organizations/:id/members/:userId', 'Remove a member (owners), or leave (yourself); the last owner stays', 'owner, or the member', ['userId', 'member'],
        (user, id, userId) => organizations.removeMember(user, id, userId),
      ),
      route({
        method: 'post', path: '/organizations/:id/invites', summary: 'Invite by e-mail with a role; the token is shown only in this answer',
        roles: 'user', who: 'owner', ids: org, body: inviteMemberSchema, ok: 201,
        handler: (ctx) => organizations.invite(ctx.state.user!, ctx.params.id!, ctx.state.body as { email: string; role: OrganizationRole }),
      }),
      listRoute('/organizations/:id/invites', 'Open and accepted invites', 'owner', (user, id) => organizations.invites(user, id)),
      removeRoute(
        '/organizations/:id/invites/:inviteId', 'Withdraw an open invite', 'owner', ['inviteId', 'invite'],
        (user, id, inviteId) => organizations.revokeInvite(user, id, inviteId),
      ),
      route({
        method: 'post', path: '/organizations/:id/api-keys', summary: 'Create an API key; the key (lpk_…) is shown only in this answer',
        roles: 'user', who: 'owner', ids: org, body: createApiKeySchema, ok: 201,
        handler: (ctx) => {
          // The key is in this answer only: no cache or proxy may keep a copy.
          ctx.set('Cache-Control', 'no-store');
          return organizations.createKey(ctx.state.user!, ctx.params.id!, ctx.state.body as { name: string; scopes: ApiKeyScope[] });
        },
      }),
      listRoute('/organizations/:id/api-keys', 'API keys with scopes and last use (never the key itself)', 'owner', (user, id) => organizations.keys(user, id)),
      removeRoute(
        '/organizations/:id/api-keys/:keyId', 'Revoke an API key: refused from the next request on, on every instance', 'owner', ['keyId', 'API key'],
        (user, id, keyId) => organizations.revokeKey(user, id, keyId),
      ),
    ],
  };
}
