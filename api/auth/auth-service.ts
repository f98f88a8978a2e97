/** Accounts and sessions: argon2id passwords, access tokens, refresh-token families with reuse detection. */
import { randomUUID } from 'node:crypto';
import { Op, type Sequelize } from 'sequelize';
import type { LivePublisher } from '../../activities/live.js';
import { Driver, RefreshToken, User } from '../../db/models.js';
import type { Role } from '../../domain/status.js';
import { ConflictError, UnauthorizedError, ValidationError } from '../errors.js';
import type { AuthUser } from '../types.js';
import { burnPasswordCheck, hashPassword, isCommonPassword, verifyPassword } from './passwords.js';
import { hashToken, newRefreshToken, type TokenService } from './tokens.js';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  driverId?: string;
}

export interface AuthServiceDeps {
  sequelize: Sequelize;
  tokens: TokenService;
  refreshTtlSeconds: number;
  live?: LivePublisher;
}

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async createUser(input: { email: string; password: string; name: string; role: Role }): Promise<User> {
    if (isCommonPassword(input.password)) {
      throw new ValidationError([{ path: 'body.password', message: 'this password is too common' }]);
    }
    const existing = await User.findOne({ where: { email: input.email } });
    if (existing) throw new ConflictError('an account with this e-mail exists', 'EMAIL_TAKEN');
    return User.create({
      id: randomUUID(),
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
  }

  /** Returns null for a wrong e-mail or password alike, after the same amount of work. */
  async checkCredentials(email: string, password: string): Promise<User | null> {
    const user = await User.findOne({ where: { email, disabledAt: null } });
    if (!user) {
      await burnPasswordCheck(password);
      return null;
    }
    return (await verifyPassword(user.passwordHash, password)) ? user : null;
  }

  async startSession(user: User): Promise<SessionTokens> {
    return this.issue(await this.publicUser(user), randomUUID());
  }

  /** Rotates the refresh token; presenting one that was already used revokes its whole family. */
  async refresh(presented: string): Promise<SessionTokens> {
    const { sequelize } = this.deps;
    const outcome = await sequelize.transaction(async (transaction) => {
      const token = await RefreshToken.findOne({ where: { tokenHash: hashToken(presented) }, transaction, lock: transaction.LOCK.UPDATE });
      if (!token) return { kind: 'unknown' as const };
      if (token.usedAt || token.revokedAt) {
        await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: token.familyId, revokedAt: null }, transaction });
        return { kind: 'reused' as const, userId: token.userId };
      }
      if (token.expiresAt.getTime() <= Date.now()) return { kind: 'expired' as const };
      token.usedAt = new Date();
      await token.save({ transaction });
      return { kind: 'ok' as const, userId: token.userId, familyId: token.familyId };
    });
    if (outcome.kind === 'reused') {
      await this.deps.live?.disconnectUser(outcome.userId, 'session revoked: refresh token reused');
      throw new UnauthorizedError('refresh token already used; the session has been revoked', 'REFRESH_REUSED');
    }
    if (outcome.kind !== 'ok') throw new UnauthorizedError('invalid refresh token', 'INVALID_REFRESH_TOKEN');
    const user = await User.findOne({ where: { id: outcome.userId, disabledAt: null } });
    if (!user) throw new UnauthorizedError('account disabled', 'ACCOUNT_DISABLED');
    return this.issue(await this.publicUser(user), outcome.familyId);
  }

  async logout(userId: string, presented: string): Promise<void> {
    const token = await RefreshToken.findOne({ where: { tokenHash: hashToken(presented), userId } });
    if (token) await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: token.familyId, revokedAt: null } });
    await this.deps.live?.disconnectUser(userId, 'logged out');
  }

  /** Disabling an account ends every session and socket it has. */
  async disableUser(userId: string): Promise<void> {
    await User.update({ disabledAt: new Date() }, { where: { id: userId } });
    await RefreshToken.update({ revokedAt: new Date() }, { where: { userId, revokedAt: null } });
    await this.deps.live?.disconnectUser(userId, 'account disabled');
  }

  /** Resolves an access token's subject to a live account (disabled accounts stop at once). */
  async activeUser(userId: string): Promise<AuthUser | null> {
    const user = await User.findOne({ where: { id: userId, disabledAt: null }, include: [{ model: Driver, as: 'driver' }] });
    if (!user) return null;
    const driver = (user as User & { driver?: Driver | null }).driver;
    return { id: user.id, role: user.role, email: user.email, name: user.name, ...(driver ? { driverId: driver.id } : {}) };
  }

  async publicUser(user: User): Promise<PublicUser> {
    const driver = user.role === 'driver' ? await Driver.findOne({ where: { userId: user.id } }) : null;
    return { id: user.id, email: user.email, name: user.name, role: user.role, ...(driver ? { driverId: driver.id } : {}) };
  }

  private async issue(user: PublicUser, familyId: string): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    await RefreshToken.create({
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.deps.refreshTtlSeconds * 1000),
    });
    // Old used tokens stay as reuse tripwires until they expire.
    await RefreshToken.destroy({ where: { userId: user.id, expiresAt: { [Op.lt]: new Date() } } });
    const accessToken = await this.deps.tokens.issueAccessToken({ sub: user.id, role: user.role, driverId: user.driverId });
    return { accessToken, refreshToken, user };
  }
}
