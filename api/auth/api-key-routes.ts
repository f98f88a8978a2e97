/**
 * Where an API key is accepted: only on routes declared with an `apiKeyScope`, and only with that
 * scope. A key never reaches user routes (accounts, drivers, AI, organisations) or sockets, whatever it
 * is scoped for.
 */
import type { Middleware } from 'koa';
import type { ApiKeyScope } from '../../domain/organizations.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppState } from '../types.js';

/** Runs right after authentication: people pass, keys only where the route's scope allows. */
export function keysOnlyWhereScoped(scope: ApiKeyScope | undefined): Middleware<AppState> {
  return (ctx, next) => {
    const key = ctx.state.user?.apiKey;
    if (key) {
      if (!scope) throw new UnauthorizedError('API keys are not accepted on this route', 'API_KEY_NOT_ACCEPTED');
      if (!key.scopes.includes(scope)) throw new ForbiddenError(`this API key lacks the ${scope} scope`, 'INSUFFICIENT_SCOPE');
    }
    return next();
  };
}
