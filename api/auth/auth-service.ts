/** Accounts and sessions: argon2id passwords, access tokens, refresh-token families with reuse detection. */
import { randomUUID } from 'node:crypto';
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import { Driver, RefreshToken, User } from '../../db/models.js';
import type { Role } from '../../domain/status.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { AuthUser } from '../types.js';
import { isUuid } from '../validate.js';
import { SessionCache, type SessionsEnded } from './session-cache.js';
import { burnPasswordCheck, hashPassword, isCommonPassword, verifyPassword } from '../../adapters/passwords.js';
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
  /** How long a live session is remembered (0: ask Postgres on every request). */
  sessionCacheMs?: number;
  /** Tells the other API instances which sessions ended, so they forget them too. */
  announceEnded?: (ended: SessionsEnded) => Promise<void>;
}

type RefreshOutcome =
  | { kind: 'ok'; userId: string; familyId: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'invalid' };

export class AuthService {
  private readonly sessions: SessionCache;

  constructor(private readonly deps: AuthServiceDeps) {
    this.sessions = new SessionCache((userId, sessionId) => this.lookupActiveUser(userId, sessionId), deps.sessionCacheMs ?? 0);
  }

  async createUser(input: { email: string; password: string; name: string; role: Role }, transaction?: Transaction): Promise<User> {
    if (isCommonPassword(input.password)) {
      throw new ValidationError([{ path: 'body.password', message: 'this password is too common' }]);
    }
    const taken = () => new ConflictError('an account with this e-mail exists', 'EMAIL_TAKEN');
    // Hashed before the look-up, so a taken address costs the same time as a free one.
    const passwordHash = await hashPassword(input.password);
    if (await User.findOne({ where: { email: input.email }, transaction })) throw taken();
    try {
      return await User.create({ id: randomUUID(), email: input.email, name: input.name, role: input.role, passwordHash }, { transaction });
    } catch (err) {
      // Two registrations of one address racing past the check above.
      if (err instanceof UniqueConstraintError) throw taken();
      throw err;
    }
  }

  /**
   * A customer's sign-up. It answers alike whether or not the address has an account, after the same
   * work (one password hash), so sign-up cannot be used to learn who is a customer: for a taken address
   * nothing is stored and the answer carries an id that belongs to no account.
   */
  async register(input: { email: string; password: string; name: string }): Promise<PublicUser> {
    const answer = (id: string): PublicUser => ({ id, email: input.email, name: input.name, role: 'customer' });
    try {
      return answer((await this.createUser({ ...input, role: 'customer' })).id);
    } catch (err) {
      if (!(err instanceof ConflictError) || err.code !== 'EMAIL_TAKEN') throw err;
      return answer(randomUUID());
    }
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
    const outcome = await this.deps.sequelize.transaction(async (transaction): Promise<RefreshOutcome> => {
      const token = await RefreshToken.findOne({ where: { tokenHash: hashToken(presented) }, transaction, lock: transaction.LOCK.UPDATE });
      if (!token || token.revokedAt || token.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' };
      if (token.usedAt) {
        await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: token.familyId, revokedAt: null }, transaction });
        return { kind: 'reused', userId: token.userId, familyId: token.familyId };
      }
      token.usedAt = new Date();
      await token.save({ transaction });
      return { kind: 'ok', userId: token.userId, familyId: token.familyId };
    });
    if (outcome.kind === 'reused') {
      await this.sessionsEnded({ sessionIds: [outcome.familyId] });
      await this.deps.live?.disconnectSessions([outcome.familyId], 'session revoked: refresh token reused');
      throw new UnauthorizedError('refresh token already used; the session has been revoked', 'REFRESH_REUSED');
    }
    if (outcome.kind === 'invalid') throw new UnauthorizedError('invalid refresh token', 'INVALID_REFRESH_TOKEN');
    const user = await User.findOne({ where: { id: outcome.userId, disabledAt: null } });
    if (!user) throw new UnauthorizedError('account disabled', 'ACCOUNT_DISABLED');
    return this.issue(await this.publicUser(user), outcome.familyId);
  }

  /** Ends the caller's current session and the one the refresh token belongs to (when it is theirs). */
  async logout(user: Pick<AuthUser, 'id' | 'sessionId'>, presented: string): Promise<void> {
    const token = await RefreshToken.findOne({ where: { tokenHash: hashToken(presented), userId: user.id } });
    const families = [token?.familyId, user.sessionId].filter((f): f is string => Boolean(f));
    await RefreshToken.update({ revokedAt: new Date() }, { where: { familyId: families, userId: user.id, revokedAt: null } });
    await this.sessionsEnded({ sessionIds: families });
    await this.deps.live?.disconnectSessions(families, 'logged out');
  }

  /** Disabling an account ends every session and socket it has and takes a driver off duty. */
  async disableUser(userId: string): Promise<User> {
    const user = await this.deps.sequelize.transaction(async (transaction) => {
      const found = await User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!found) throw new NotFoundError('user');
      found.disabledAt ??= new Date();
      await found.save({ transaction });
      await RefreshToken.update({ revokedAt: new Date() }, { where: { userId, revokedAt: null }, transaction });
      await Driver.update({ onDuty: false }, { where: { userId }, transaction });
      return found;
    });
    await this.sessionsEnded({ userId });
    await this.deps.live?.disconnectUser(userId, 'account disabled');
    return user;
  }

  /**
   * Resolves an access token to a live account: a disabled account, or a session that was logged out or
   * revoked for refresh-token reuse, stops working at once instead of at the token's expiry — on this
   * instance at once, on the others when they hear of it (see `SessionCache`).
   */
  activeUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    return this.sessions.activeUser(userId, sessionId);
  }

  /** Another instance ended these sessions. */
  forgetSessions(ended: SessionsEnded): void {
    this.sessions.forget(ended);
  }

  /** Sessions may have ended unheard (the announcement channel was down). */
  forgetAllSessions(): void {
    this.sessions.clear();
  }

  private async sessionsEnded(ended: SessionsEnded): Promise<void> {
    this.sessions.forget(ended);
    await this.deps.announceEnded?.(ended);
  }

  private async lookupActiveUser(userId: string, sessionId: string): Promise<AuthUser | null> {
    if (!isUuid(userId) || !isUuid(sessionId)) return null;
    const [row] = await this.deps.sequelize.query<{ id: string; role: Role; email: string; name: string; driver_id: string | null }>(
      `SELECT u.id, u.role, u.email, u.name, d.id AS driver_id
         FROM users u LEFT JOIN drivers d ON d.user_id = u.id
        WHERE u.id = :userId AND u.disabled_at IS NULL
          AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = :sessionId AND t.user_id = u.id AND t.revoked_at IS NULL)`,
      { type: QueryTypes.SELECT, replacements: { userId, sessionId } },
    );
    if (!row) return null;
    return { id: row.id, role: row.role, email: row.email, name: row.name, sessionId, ...(row.driver_id ? { driverId: row.driver_id } : {}) };
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
    const accessToken = await this.deps.tokens.issueAccessToken({ sub: user.id, role: user.role, sid: familyId, driverId: user.driverId });
    return { accessToken, refreshToken, user };
  }
}
