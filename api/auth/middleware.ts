import type { Middleware } from 'koa';
import type { Role } from '../../domain/status.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppState, AuthUser } from '../types.js';
import { isApiKey, type ApiKeyAuth } from './api-keys.js';
import type { AuthService } from './auth-service.js';
import type { TokenService } from './tokens.js';

/** The token of an `Authorization: Bearer …` header (the scheme name is case-insensitive, RFC 9110). */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** A person's access token only: API keys are refused here (sockets, and every route that takes this). */
export async function userFromToken(token: string, tokens: TokenService, auth: AuthService): Promise<AuthUser> {
  if (isApiKey(token)) throw new UnauthorizedError('API keys are not accepted here', 'API_KEY_NOT_ACCEPTED');
  const claims = await tokens.verifyAccessToken(token);
  const user = await auth.activeUser(claims.sub, claims.sid);
  if (!user) throw new UnauthorizedError('the session has ended or the account is disabled', 'SESSION_ENDED');
  return user;
}

/** A key acts as a member of its organisation, in the name of the person who made it. */
async function userFromApiKey(token: string, keys: ApiKeyAuth): Promise<AuthUser> {
  const key = await keys.authenticate(token);
  return {
    id: key.createdBy,
    role: 'customer',
    email: '',
    name: `API key ${key.name}`,
    organizationId: key.organizationId,
    organizationRole: 'member',
    apiKey: { id: key.id, scopes: key.scopes },
  };
}

/** People by access token; with `keys`, API keys too (which routes take them is `keysOnlyWhereScoped`'s call). */
export function authenticate(tokens: TokenService, auth: AuthService, keys?: ApiKeyAuth): Middleware<AppState> {
  const signIn: Middleware<AppState> = async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new UnauthorizedError();
    ctx.state.user = keys && isApiKey(token) ? await userFromApiKey(token, keys) : await userFromToken(token, tokens, auth);
    await next();
  };
  return (ctx, next) => {
    // The same checks as `userFromToken` when both answers are remembered (a token verified before, a
    // session known live), without its promises: only a verified access token is ever remembered.
    const token = bearerToken(ctx.get('authorization'));
    const claims = token ? tokens.verifiedClaims(token) : undefined;
    const user = claims && auth.rememberedUser(claims.sub, claims.sid);
    if (!user) return signIn(ctx, next);
    ctx.state.user = user;
    return next();
  };
}

export function requireRole(...roles: Role[]): Middleware<AppState> {
  return (ctx, next) => {
    const user = ctx.state.user;
    if (!user) throw new UnauthorizedError();
    if (!roles.includes(user.role)) throw new ForbiddenError(`this needs one of: ${roles.join(', ')}`);
    return next();
  };
}
