import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  acceptInviteSchema,
  createApiKeySchema,
  createOrganizationSchema,
  inviteMemberSchema,
  type ApiKeyScope,
  type OrganizationRole,
} from '../../domain/organizations.js';
import { requireRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import type { OrganizationsService } from '../services/organizations-service.js';
import type { AppState } from '../types.js';
import { isUuid, validate } from '../validate.js';

registerOperations([
  { method: 'post', path: '/organizations', summary: 'Create an organisation; you become its owner', roles: 'customer', body: createOrganizationSchema, ok: 201 },
  { method: 'get', path: '/organizations', summary: 'The organisations you belong to, with your role', roles: 'user', ok: 200 },
  { method: 'post', path: '/organizations/join', summary: 'Accept an invite (signed in with the invited e-mail address)', roles: 'user', body: acceptInviteSchema, ok: 200 },
  { method: 'get', path: '/organizations/{id}/members', summary: 'Members and their roles', roles: 'member', ok: 200 },
  { method: 'delete', path: '/organizations/{id}/members/{userId}', summary: 'Remove a member (owners), or leave (yourself); the last owner stays', roles: 'owner, or the member', ok: 204 },
  { method: 'post', path: '/organizations/{id}/invites', summary: 'Invite by e-mail with a role; the token is shown only in this answer', roles: 'owner', body: inviteMemberSchema, ok: 201 },
  { method: 'get', path: '/organizations/{id}/invites', summary: 'Open and accepted invites', roles: 'owner', ok: 200 },
  { method: 'delete', path: '/organizations/{id}/invites/{inviteId}', summary: 'Withdraw an open invite', roles: 'owner', ok: 204 },
  { method: 'post', path: '/organizations/{id}/api-keys', summary: 'Create an API key; the key (lpk_…) is shown only in this answer', roles: 'owner', body: createApiKeySchema, ok: 201 },
  { method: 'get', path: '/organizations/{id}/api-keys', summary: 'API keys with scopes and last use (never the key itself)', roles: 'owner', ok: 200 },
  { method: 'delete', path: '/organizations/{id}/api-keys/{keyId}', summary: 'Revoke an API key: refused from the next request on, on every instance', roles: 'owner', ok: 204 },
]);

const uuidParams = (what: string, ...names: string[]): Middleware<AppState> => async (ctx, next) => {
  const params = (ctx as unknown as { params: Record<string, string | undefined> }).params;
  if (!names.every((n) => isUuid(params[n] ?? ''))) throw new NotFoundError(what);
  await next();
};

export function organizationRoutes(deps: { organizations: OrganizationsService; auth: Middleware<AppState> }): Router<AppState> {
  const { organizations } = deps;
  const router = new Router<AppState>({ prefix: '/api/v1/organizations' });
  router.use(deps.auth);
  const org = uuidParams('organization', 'id');

  router.post('/', requireRole('customer'), validate('body', createOrganizationSchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await organizations.create(ctx.state.user!, (ctx.state.body as { name: string }).name);
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: await organizations.list(ctx.state.user!) };
  });

  router.post('/join', validate('body', acceptInviteSchema), async (ctx) => {
    ctx.body = await organizations.join(ctx.state.user!, (ctx.state.body as { token: string }).token);
  });

  router.get('/:id/members', org, async (ctx) => {
    ctx.body = { items: await organizations.members(ctx.state.user!, ctx.params.id!) };
  });

  router.delete('/:id/members/:userId', org, uuidParams('member', 'userId'), async (ctx) => {
    await organizations.removeMember(ctx.state.user!, ctx.params.id!, ctx.params.userId!);
    ctx.status = 204;
  });

  router.post('/:id/invites', org, validate('body', inviteMemberSchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await organizations.invite(ctx.state.user!, ctx.params.id!, ctx.state.body as { email: string; role: OrganizationRole });
  });

  router.get('/:id/invites', org, async (ctx) => {
    ctx.body = { items: await organizations.invites(ctx.state.user!, ctx.params.id!) };
  });

  router.delete('/:id/invites/:inviteId', org, uuidParams('invite', 'inviteId'), async (ctx) => {
    await organizations.revokeInvite(ctx.state.user!, ctx.params.id!, ctx.params.inviteId!);
    ctx.status = 204;
  });

  router.post('/:id/api-keys', org, validate('body', createApiKeySchema), async (ctx) => {
    ctx.status = 201;
    // The key is in this answer only: no cache or proxy may keep a copy.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await organizations.createKey(ctx.state.user!, ctx.params.id!, ctx.state.body as { name: string; scopes: ApiKeyScope[] });
  });

  router.get('/:id/api-keys', org, async (ctx) => {
    ctx.body = { items: await organizations.keys(ctx.state.user!, ctx.params.id!) };
  });

  router.delete('/:id/api-keys/:keyId', org, uuidParams('API key', 'keyId'), async (ctx) => {
    await organizations.revokeKey(ctx.state.user!, ctx.params.id!, ctx.params.keyId!);
    ctx.status = 204;
  });

  return router;
}
