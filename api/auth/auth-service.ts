/** Accounts and sessions: argon2id passwords, access tokens, refresh-token families with reuse detection. */
import { randomUUID } from 'node:crypto';
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { SessionStore } from '../../db/sessions.js';
import { EmailTakenError, type Account, type AccountStore, type NewDriverProfile } from '../../db/users.js';
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
  accounts: AccountStore;
  sessions: SessionStore;
  tokens: TokenService;
  refreshTtlSeconds: number;
  live?: LivePublisher;
  /** How long a live session is remembered (0: ask Postgres on every request). */
  sessionCacheMs?: number;
  /** Tells the other API instances which sessions ended, so they forget them too. */
  announceEnded?: (ended: SessionsEnded) => Promise<void>;
}

export class AuthService {
  private readonly sessions: SessionCache;

  constructor(private readonly deps: AuthServiceDeps) {
    this.sessions = new SessionCache((userId, sessionId) => this.lookupActiveUser(userId, sessionId), deps.sessionCacheMs ?? 0);
  }

  /** A new account; a driver's comes with its driver profile, both or neither. */
  async createUser(input: { email: string; password: string; name: string; role: Role }, driver?: NewDriverProfile): Promise<Account> {
    if (isCommonPassword(input.password)) {
      throw new ValidationError([{ path: 'body.password', message: 'this password is too common' }]);
    }
    // Hashed before the look-up, so a taken address costs the same time as a free one.
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.deps.accounts.create({ email: input.email, name: input.name, role: input.role, passwordHash }, driver);
    } catch (err) {
      if (err instanceof EmailTakenError) throw new ConflictError('an account with this e-mail exists', 'EMAIL_TAKEN');
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
  async checkCredentials(email: string, password: string): Promise<Account | null> {
    const user = await this.deps.accounts.findActive({ email });
    if (!user) {
      await burnPasswordCheck(password);
      return null;
    }
    return (await verifyPassword(user.passwordHash, password)) ? user : null;
  }

  async startSession(user: Account): Promise<SessionTokens> {
    return this.issue(publicUser(user), randomUUID());
  }

  /** Rotates the refresh token; presenting one that was already used revokes its whole family. */
  async refresh(presented: string): Promise<SessionTokens> {
    const outcome = await this.deps.sessions.useToken(hashToken(presented));
    if (outcome.kind === 'reused') {
      await this.sessionsEnded({ sessionIds: [outcome.familyId] });
      await this.deps.live?.disconnectSessions([outcome.familyId], 'session revoked: refresh token reused');
      throw new UnauthorizedError('refresh token already used; the session has been revoked', 'REFRESH_REUSED');
    }
    if (outcome.kind === 'invalid') throw new UnauthorizedError('invalid refresh token', 'INVALID_REFRESH_TOKEN');
    const user = await this.deps.accounts.findActive({ id: outcome.userId });
    if (!user) throw new UnauthorizedError('account disabled', 'ACCOUNT_DISABLED');
    return this.issue(publicUser(user), outcome.familyId);
  }

  /** Ends the caller's current session and the one the refresh token belongs to (when it is theirs). */
  async logout(user: Pick<AuthUser, 'id' | 'sessionId'>, presented: string): Promise<void> {
    const family = await this.deps.sessions.familyOf(user.id, hashToken(presented));
    const families = [family, user.sessionId].filter((f): f is string => Boolean(f));
    await this.deps.sessions.revokeFamilies(user.id, families);
    await this.sessionsEnded({ sessionIds: families });
    await this.deps.live?.disconnectSessions(families, 'logged out');
  }

  /** Disabling an account ends every session and socket it has and takes a driver off duty. */
  async disableUser(userId: string): Promise<Account> {
    const user = await this.deps.accounts.disable(userId);
    if (!user) throw new NotFoundError('user');
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

  /** `activeUser`'s answer when this instance remembers the session as live; undefined means ask it. */
  rememberedUser(userId: string, sessionId: string): AuthUser | undefined {
    return this.sessions.rememberedUser(userId, sessionId);
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
    const row = await this.deps.sessions.activeUser(userId, sessionId);
    if (!row) return null;
    return { id: row.id, role: row.role, email: row.email, name: row.name, sessionId, ...(row.driverId ? { driverId: row.driverId } : {}) };
  }

  private async issue(user: PublicUser, familyId: string): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.deps.refreshTtlSeconds * 1000);
    await this.deps.sessions.addToken({ userId: user.id, familyId, tokenHash: hashToken(refreshToken), expiresAt });
    const accessToken = await this.deps.tokens.issueAccessToken({ sub: user.id, role: user.role, sid: familyId, driverId: user.driverId });
    return { accessToken, refreshToken, user };
  }
}

function publicUser(user: Account): PublicUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role, ...(user.driverId ? { driverId: user.driverId } : {}) };
}
