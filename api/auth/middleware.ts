import type { Middleware } from 'koa';
import type { Role } from '../../domain/status.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppState, AuthUser } from '../types.js';
import type { AuthService } from './auth-service.js';
import type { TokenService } from './tokens.js';

/** The token of an `Authorization: Bearer …` header (the scheme name is case-insensitive, RFC 9110). */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export async function userFromToken(token: string, tokens: TokenService, auth: AuthService): Promise<AuthUser> {
  const claims = await tokens.verifyAccessToken(token);
  const user = await auth.activeUser(claims.sub, claims.sid);
  if (!user) throw new UnauthorizedError('the session has ended or the account is disabled', 'SESSION_ENDED');
  return user;
}

export function authenticate(tokens: TokenService, auth: AuthService): Middleware<AppState> {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new UnauthorizedError();
    ctx.state.user = await userFromToken(token, tokens, auth);
    await next();
  };
}

export function requireRole(...roles: Role[]): Middleware<AppState> {
  return async (ctx, next) => {
    const user = ctx.state.user;
    if (!user) throw new UnauthorizedError();
    if (!roles.includes(user.role)) throw new ForbiddenError(`this needs one of: ${roles.join(', ')}`);
    await next();
  };
}
