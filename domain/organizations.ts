/** Business accounts: organisations, their members, invites and API keys (shapes shared by API and web). */
import { z } from 'zod';
import { emailSchema } from './schemas.js';

export const ORGANIZATION_ROLES = ['owner', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/** What an API key may do; each route that takes keys names its scope (`apiKeyScope` in api/routes/). */
export const API_KEY_SCOPES = ['deliveries:write', 'deliveries:read', 'webhooks:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Keys start with this, so secret scanners and people can tell one at a glance. */
export const API_KEY_PREFIX = 'lpk_';

/** The request header that picks the organisation a signed-in person acts in. */
export const ORGANIZATION_HEADER = 'X-Organization-Id';

export const createOrganizationSchema = z.strictObject({ name: z.string().trim().min(1).max(100) });
export const inviteMemberSchema = z.strictObject({ email: emailSchema, role: z.enum(ORGANIZATION_ROLES).default('member') });
export const acceptInviteSchema = z.strictObject({ token: z.string().regex(/^inv_[A-Za-z0-9_-]{43}$/, 'an invite token') });
export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
});

export interface OrganizationView {
  id: string;
  name: string;
  role: OrganizationRole;
  createdAt: string;
}

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: OrganizationRole;
  joinedAt: string;
}

export interface InviteView {
  id: string;
  email: string;
  role: OrganizationRole;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** The key's first characters, so people can tell keys apart; never enough to use it. */
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
