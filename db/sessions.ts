/**
 * Sessions: one family of refresh tokens per sign-in (the family id is the session id). Each token is
 * used once; a used one presented again is a reuse, and its whole family is revoked.
 */
import { randomUUID } from 'node:crypto';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { Role } from '../domain/status.js';
import { RefreshToken } from './models.js';

export type RefreshOutcome =
  | { kind: 'ok'; userId: string; familyId: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'invalid' };

export interface SessionUser {
  id: string;
  role: Role;
  email: string;
  name: string;
  driverId: string | null;
}

export function createSessionStore(sequelize: Sequelize) {
  return {
    /** Stores a new token of a family, and drops the user's expired ones (used tokens stay as reuse tripwires until then). */
    async addToken(token: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
      await RefreshToken.create({ id: randomUUID(), ...token });
      await RefreshToken.destroy({ where: { userId: token.userId, expiresAt: { [Op.lt]: new Date() } } });
    },

    /** Uses a token once, under a row lock, so two refreshes racing with one token cannot both win. */
    async useToken(tokenHash: string): Promise<RefreshOutcome> {
      return sequelize.transaction(async (transaction): Promise<RefreshOutcome> => {
        const token = await RefreshToken.findOne({ where: { tokenHash }, transaction, lock: transaction.LOCK.UPDATE });
        if (!token || token.revokedAt || token.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' };
        if (token.usedAt) {
          await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: token.familyId, revokedAt: null }, transaction });
          return { kind: 'reused', userId: token.userId, familyId: token.familyId };
        }
        token.usedAt = new Date();
        await token.save({ transaction });
        return { kind: 'ok', userId: token.userId, familyId: token.familyId };
      });
    },

    /** The family of a user's token, or null when the token is not theirs. */
    async familyOf(userId: string, tokenHash: string): Promise<string | null> {
      const token = await RefreshToken.findOne({ where: { tokenHash, userId }, attributes: ['familyId'] });
      return token?.familyId ?? null;
    },

    async revokeFamilies(userId: string, familyIds: string[]): Promise<void> {
      await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: familyIds, userId, revokedAt: null } });
    },

    /** The signed-in person behind a session, while the account is enabled and the session not revoked. */
    async activeUser(userId: string, sessionId: string): Promise<SessionUser | null> {
      const [row] = await sequelize.query<SessionUser>(
        `SELECT u.id, u.role, u.email, u.name, d.id AS "driverId"
           FROM users u LEFT JOIN drivers d ON d.user_id = u.id
          WHERE u.id = :userId AND u.disabled_at IS NULL
            AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = :sessionId AND t.user_id = u.id AND t.revoked_at IS NULL)`,
        { type: QueryTypes.SELECT, replacements: { userId, sessionId } },
      );
      return row ?? null;
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
