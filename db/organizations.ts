/** Organisations, memberships, invites and API keys. Membership is part of every query that reads them. */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ApiKeyScope, ApiKeyView, InviteView, MemberView, OrganizationRole, OrganizationView } from '../domain/organizations.js';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** A live key as authentication needs it. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  organizationId: string;
  scopes: ApiKeyScope[];
  createdBy: string;
}

export function createOrganizationStore(sequelize: Sequelize) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction });

  return {
    async create(name: string, ownerId: string): Promise<OrganizationView> {
      const id = randomUUID();
      return sequelize.transaction(async (transaction) => {
        const [row] = await select<{ createdAt: Date }>(
          'INSERT INTO organizations (id, name, created_by) VALUES (:id, :name, :owner) RETURNING created_at AS "createdAt"',
          { id, name, owner: ownerId }, transaction,
        );
        await select("INSERT INTO organization_members (organization_id, user_id, role) VALUES (:id, :owner, 'owner') RETURNING 1", { id, owner: ownerId }, transaction);
        return { id, name, role: 'owner', createdAt: iso(row!.createdAt)! };
      });
    },

    async listFor(userId: string): Promise<OrganizationView[]> {
      const rows = await select<Omit<OrganizationView, 'createdAt'> & { createdAt: Date }>(
        `SELECT o.id, o.name, m.role, o.created_at AS "createdAt" FROM organizations o
         JOIN organization_members m ON m.organization_id = o.id WHERE m.user_id = :userId ORDER BY o.created_at`,
        { userId },
      );
      return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)! }));
    },

    /** The user's role in the organisation, or null when they are not a member (or it does not exist). */
    async roleOf(organizationId: string, userId: string): Promise<OrganizationRole | null> {
      const [row] = await select<{ role: OrganizationRole }>(
        'SELECT role FROM organization_members WHERE organization_id = :organizationId AND user_id = :userId',
        { organizationId, userId },
      );
      return row?.role ?? null;
    },

    async members(organizationId: string): Promise<MemberView[]> {
      const rows = await select<Omit<MemberView, 'joinedAt'> & { joinedAt: Date }>(
        `SELECT u.id AS "userId", u.email, u.name, m.role, m.created_at AS "joinedAt" FROM organization_members m
         JOIN users u ON u.id = m.user_id WHERE m.organization_id = :organizationId ORDER BY m.created_at`,
        { organizationId },
      );
      return rows.map((r) => ({ ...r, joinedAt: iso(r.joinedAt)! }));
    },

    /** Removes a member unless they are its last owner; 'last_owner' then, false when not a member. */
    async removeMember(organizationId: string, userId: string): Promise<boolean | 'last_owner'> {
      return sequelize.transaction(async (transaction) => {
        // Owners are counted under a lock, so two owners removing each other cannot leave none.
        const owners = await select<{ userId: string }>(
          `SELECT user_id AS "userId" FROM organization_members WHERE organization_id = :organizationId AND role = 'owner' FOR UPDATE`,
          { organizationId }, transaction,
        );
        if (owners.length === 1 && owners[0]!.userId === userId) return 'last_owner';
        const removed = await select('DELETE FROM organization_members WHERE organization_id = :organizationId AND user_id = :userId RETURNING 1', { organizationId, userId }, transaction);
        return removed.length > 0;
      });
    },

    async invite(input: { organizationId: string; email: string; role: OrganizationRole; tokenHash: string; invitedBy: string; ttlMs: number }): Promise<InviteView> {
      const id = randomUUID();
      const [row] = await select<{ createdAt: Date; expiresAt: Date }>(
        `INSERT INTO organization_invites (id, organization_id, email, role, token_hash, invited_by, expires_at)
         VALUES (:id, :organizationId, :email, :role, :tokenHash, :invitedBy, now() + make_interval(secs => :ttlSeconds))
         RETURNING created_at AS "createdAt", expires_at AS "expiresAt"`,
        { id, ...input, ttlSeconds: input.ttlMs / 1000 },
      );
      return { id, email: input.email, role: input.role, createdAt: iso(row!.createdAt)!, expiresAt: iso(row!.expiresAt)!, acceptedAt: null };
    },

    async invites(organizationId: string): Promise<InviteView[]> {
      const rows = await select<{ id: string; email: string; role: OrganizationRole; createdAt: Date; expiresAt: Date; acceptedAt: Date | null }>(
        `SELECT id, email, role, created_at AS "createdAt", expires_at AS "expiresAt", accepted_at AS "acceptedAt" FROM organization_invites
         WHERE organization_id = :organizationId AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 200`,
        { organizationId },
      );
      return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, expiresAt: iso(r.expiresAt)!, acceptedAt: iso(r.acceptedAt) }));
    },

    async revokeInvite(organizationId: string, inviteId: string): Promise<boolean> {
      const rows = await select(
        'UPDATE organization_invites SET revoked_at = now() WHERE id = :inviteId AND organization_id = :organizationId AND accepted_at IS NULL AND revoked_at IS NULL RETURNING 1',
        { organizationId, inviteId },
      );
      return rows.length > 0;
    },

    /**
     * Accepts an open invite addressed to this e-mail: the token alone is not enough (a forwarded link
     * cannot be used by someone else), nor is the address (anyone may register one).
     */
    async acceptInvite(tokenHash: string, user: { id: string; email: string }): Promise<OrganizationView | null> {
      return sequelize.transaction(async (transaction) => {
        const [invite] = await select<{ id: string; organizationId: string; role: OrganizationRole }>(
          `UPDATE organization_invites SET accepted_at = now()
           WHERE token_hash = :tokenHash AND lower(email) = lower(:email) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
           RETURNING id, organization_id AS "organizationId", role`,
          { tokenHash, email: user.email }, transaction,
        );
        if (!invite) return null;
        await select(
          `INSERT INTO organization_members (organization_id, user_id, role) VALUES (:organizationId, :userId, :role)
           ON CONFLICT (organization_id, user_id) DO UPDATE SET role = CASE WHEN EXCLUDED.role = 'owner' THEN 'owner' ELSE organization_members.role END
           RETURNING 1`,
          { organizationId: invite.organizationId, userId: user.id, role: invite.role }, transaction,
        );
        const [org] = await select<{ id: string; name: string; role: OrganizationRole; createdAt: Date }>(
          `SELECT o.id, o.name, m.role, o.created_at AS "createdAt" FROM organizations o JOIN organization_members m ON m.organization_id = o.id
           WHERE o.id = :organizationId AND m.user_id = :userId`,
          { organizationId: invite.organizationId, userId: user.id }, transaction,
        );
        return { ...org!, createdAt: iso(org!.createdAt)! };
      });
    },

    // --- API keys ---

    async createKey(input: { organizationId: string; name: string; scopes: ApiKeyScope[]; keyHash: string; hint: string; createdBy: string }): Promise<ApiKeyView> {
      const id = randomUUID();
      const [row] = await select<{ createdAt: Date }>(
        `INSERT INTO api_keys (id, organization_id, name, scopes, key_hash, key_hint, created_by)
         VALUES (:id, :organizationId, :name, ARRAY[:scopes]::text[], :keyHash, :hint, :createdBy) RETURNING created_at AS "createdAt"`,
        { id, ...input },
      );
      return { id, name: input.name, scopes: input.scopes, hint: input.hint, createdAt: iso(row!.createdAt)!, lastUsedAt: null, revokedAt: null };
    },

    async keys(organizationId: string): Promise<ApiKeyView[]> {
      const rows = await select<{ id: string; name: string; scopes: ApiKeyScope[]; hint: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }>(
        `SELECT id, name, scopes, key_hint AS hint, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
         FROM api_keys WHERE organization_id = :organizationId ORDER BY created_at DESC`,
        { organizationId },
      );
      return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, lastUsedAt: iso(r.lastUsedAt), revokedAt: iso(r.revokedAt) }));
    },

    /** The key's hash when it was live and is now revoked; null when it is not this organisation's or already revoked. */
    async revokeKey(organizationId: string, keyId: string): Promise<string | null> {
      const [row] = await select<{ keyHash: string }>(
        'UPDATE api_keys SET revoked_at = now() WHERE id = :keyId AND organization_id = :organizationId AND revoked_at IS NULL RETURNING key_hash AS "keyHash"',
        { organizationId, keyId },
      );
      return row?.keyHash ?? null;
    },

    async liveKey(keyHash: string): Promise<ApiKeyRecord | null> {
      const [row] = await select<ApiKeyRecord>(
        `SELECT k.id, k.name, k.organization_id AS "organizationId", k.scopes, k.created_by AS "createdBy" FROM api_keys k
         JOIN users u ON u.id = k.created_by WHERE k.key_hash = :keyHash AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
        { keyHash },
      );
      return row ?? null;
    },

    /** At most one write a minute per key: a busy integration does not turn every request into an UPDATE. */
    async touchKey(keyId: string): Promise<void> {
      await sequelize.query(
        "UPDATE api_keys SET last_used_at = now() WHERE id = :keyId AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        { replacements: { keyId } },
      );
    },
  };
}
export type OrganizationStore = ReturnType<typeof createOrganizationStore>;
