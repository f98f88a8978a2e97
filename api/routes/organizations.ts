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

const org = { id: 'organization' };

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
      route({
        method: 'get', path: '/organizations/:id/members', summary: 'Members and their roles', roles: 'user', who: 'member', ids: org, ok: 200,
        handler: async (ctx) => ({ items: await organizations.members(ctx.state.user!, ctx.params.id!) }),
      }),
      route({
        method: 'delete', path: '/organizations/:id/members/:userId', summary: 'Remove a member (owners), or leave (yourself); the last owner stays',
        roles: 'user', who: 'owner, or the member', ids: { ...org, userId: 'member' }, ok: 204,
        handler: (ctx) => organizations.removeMember(ctx.state.user!, ctx.params.id!, ctx.params.userId!),
      }),
      route({
        method: 'post', path: '/organizations/:id/invites', summary: 'Invite by e-mail with a role; the token is shown only in this answer',
        roles: 'user', who: 'owner', ids: org, body: inviteMemberSchema, ok: 201,
        handler: (ctx) => organizations.invite(ctx.state.user!, ctx.params.id!, ctx.state.body as { email: string; role: OrganizationRole }),
      }),
      route({
        method: 'get', path: '/organizations/:id/invites', summary: 'Open and accepted invites', roles: 'user', who: 'owner', ids: org, ok: 200,
        handler: async (ctx) => ({ items: await organizations.invites(ctx.state.user!, ctx.params.id!) }),
      }),
      route({
        method: 'delete', path: '/organizations/:id/invites/:inviteId', summary: 'Withdraw an open invite',
        roles: 'user', who: 'owner', ids: { ...org, inviteId: 'invite' }, ok: 204,
        handler: (ctx) => organizations.revokeInvite(ctx.state.user!, ctx.params.id!, ctx.params.inviteId!),
      }),
      route({
        method: 'post', path: '/organizations/:id/api-keys', summary: 'Create an API key; the key (lpk_…) is shown only in this answer',
        roles: 'user', who: 'owner', ids: org, body: createApiKeySchema, ok: 201,
        handler: (ctx) => {
          // The key is in this answer only: no cache or proxy may keep a copy.
          ctx.set('Cache-Control', 'no-store');
          return organizations.createKey(ctx.state.user!, ctx.params.id!, ctx.state.body as { name: string; scopes: ApiKeyScope[] });
        },
      }),
      route({
        method: 'get', path: '/organizations/:id/api-keys', summary: 'API keys with scopes and last use (never the key itself)', roles: 'user', who: 'owner', ids: org, ok: 200,
        handler: async (ctx) => ({ items: await organizations.keys(ctx.state.user!, ctx.params.id!) }),
      }),
      route({
        method: 'delete', path: '/organizations/:id/api-keys/:keyId', summary: 'Revoke an API key: refused from the next request on, on every instance',
        roles: 'user', who: 'owner', ids: { ...org, keyId: 'API key' }, ok: 204,
        handler: (ctx) => organizations.revokeKey(ctx.state.user!, ctx.params.id!, ctx.params.keyId!),
      }),
    ],
  };
}
