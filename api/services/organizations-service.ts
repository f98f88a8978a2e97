/** Organisations: create, members and invites, API keys. Only owners change who belongs or which keys work. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { OrganizationStore } from '../../db/organizations.js';
import type { ApiKeyScope, ApiKeyView, InviteView, MemberView, OrganizationRole, OrganizationView } from '../../domain/organizations.js';
import { hashApiKey, keyHint, newApiKey, type ApiKeyAuth } from '../auth/api-keys.js';
import { hashToken } from '../auth/tokens.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { AuthUser } from '../types.js';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export interface OrganizationsDeps {
  store: OrganizationStore;
  keys: ApiKeyAuth;
  /** Tells every API instance a key was revoked (its hash), so none keeps accepting it. */
  announceRevokedKey(keyHash: string): Promise<void>;
  live?: Pick<LivePublisher, 'disconnectMember'>;
  publicUrl: string;
  log?: Pick<Logger, 'warn'>;
}

export class OrganizationsService {
  constructor(private readonly deps: OrganizationsDeps) {}

  create(user: AuthUser, name: string): Promise<OrganizationView> {
    return this.deps.store.create(name, user.id);
  }

  list(user: AuthUser): Promise<OrganizationView[]> {
    return this.deps.store.listFor(user.id);
  }

  /** The caller's role; not a member is not found, a member where an owner is needed is forbidden. */
  private async role(user: AuthUser, organizationId: string, needs: OrganizationRole | 'any'): Promise<OrganizationRole> {
    const role = await this.deps.store.roleOf(organizationId, user.id);
    if (!role) throw new NotFoundError('organization');
    if (needs === 'owner' && role !== 'owner') throw new ForbiddenError('only an owner of the organisation may do this', 'OWNER_REQUIRED');
    return role;
  }

  async members(user: AuthUser, organizationId: string): Promise<MemberView[]> {
    await this.role(user, organizationId, 'any');
    return this.deps.store.members(organizationId);
  }

  /** Owners remove anyone but the last owner; a member may remove themselves (leave). */
  async removeMember(user: AuthUser, organizationId: string, memberId: string): Promise<void> {
    await this.role(user, organizationId, memberId === user.id ? 'any' : 'owner');
    const removed = await this.deps.store.removeMember(organizationId, memberId);
    if (removed === 'last_owner') throw new ConflictError('an organisation keeps at least one owner', 'LAST_OWNER');
    if (!removed) throw new NotFoundError('member');
    await this.deps.live?.disconnectMember(organizationId, memberId).catch((err: Error) => {
      this.deps.log?.warn({ err: err.message, organizationId }, 'removed member’s sockets not ended; they end when their access token does');
    });
  }

  /** The token is shown once, here: the invitee accepts with it, signed in with the invited address. */
  async invite(user: AuthUser, organizationId: string, body: { email: string; role: OrganizationRole }): Promise<InviteView & { token: string; acceptUrl: string }> {
    await this.role(user, organizationId, 'owner');
    const token = `inv_${randomBytes(32).toString('base64url')}`;
    const invite = await this.deps.store.invite({ organizationId, email: body.email, role: body.role, tokenHash: hashToken(token), invitedBy: user.id, ttlMs: INVITE_TTL_MS });
    const acceptUrl = `${this.deps.publicUrl.replace(/\/$/, '')}/organization#invite=${token}`;
    return { ...invite, token, acceptUrl };
  }

  async invites(user: AuthUser, organizationId: string): Promise<InviteView[]> {
    await this.role(user, organizationId, 'owner');
    return this.deps.store.invites(organizationId);
  }

  async revokeInvite(user: AuthUser, organizationId: string, inviteId: string): Promise<void> {
    await this.role(user, organizationId, 'owner');
    if (!(await this.deps.store.revokeInvite(organizationId, inviteId))) throw new NotFoundError('invite');
  }

  async join(user: AuthUser, token: string): Promise<OrganizationView> {
    const joined = await this.deps.store.acceptInvite(hashToken(token), user);
    // Unknown, used, expired or addressed to someone else: all the same to the caller.
    if (!joined) throw new NotFoundError('invite');
    return joined;
  }

  async createKey(user: AuthUser, organizationId: string, body: { name: string; scopes: ApiKeyScope[] }): Promise<ApiKeyView & { key: string }> {
    await this.role(user, organizationId, 'owner');
    const key = newApiKey();
    const view = await this.deps.store.createKey({
      organizationId, name: body.name, scopes: [...new Set(body.scopes)], keyHash: hashApiKey(key), hint: keyHint(key), createdBy: user.id,
    });
    return { ...view, key };
  }

  async keys(user: AuthUser, organizationId: string): Promise<ApiKeyView[]> {
    await this.role(user, organizationId, 'owner');
    return this.deps.store.keys(organizationId);
  }

  /** Refused from the next request on, on this instance at once and on the others as the announcement lands. */
  async revokeKey(user: AuthUser, organizationId: string, keyId: string): Promise<void> {
    await this.role(user, organizationId, 'owner');
    const keyHash = await this.deps.store.revokeKey(organizationId, keyId);
    if (!keyHash) throw new NotFoundError('API key');
    this.deps.keys.forget(keyHash);
    await this.deps.announceRevokedKey(keyHash);
  }
}
