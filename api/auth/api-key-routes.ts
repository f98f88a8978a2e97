/**
 * Where an API key is accepted, and with which scope. Anything not listed refuses keys: a key never
 * reaches user routes (accounts, drivers, AI, organisations) or sockets, whatever it is scoped for.
 */
import type { Middleware } from 'koa';
import type { ApiKeyScope } from '../../domain/organizations.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AppState } from '../types.js';

const ID = '[^/]+';
const KEY_ROUTES: Array<{ method: string; path: RegExp; scope: ApiKeyScope }> = [
  { method: 'POST', path: /^\/api\/v1\/deliveries\/?$/, scope: 'deliveries:write' },
  { method: 'POST', path: /^\/api\/v1\/deliveries\/import\/?$/, scope: 'deliveries:write' },
  { method: 'POST', path: new RegExp(`^/api/v1/deliveries/${ID}/(accept-quote|cancel)/?$`), scope: 'deliveries:write' },
  { method: 'GET', path: /^\/api\/v1\/deliveries\/?$/, scope: 'deliveries:read' },
  { method: 'GET', path: new RegExp(`^/api/v1/deliveries/${ID}/?$`), scope: 'deliveries:read' },
  { method: 'GET', path: new RegExp(`^/api/v1/imports/${ID}/?$`), scope: 'deliveries:read' },
  { method: '*', path: /^\/api\/v1\/webhooks(\/.*)?$/, scope: 'webhooks:manage' },
];

/** The scope a key needs for this request, or null when keys are not accepted here. */
export function scopeFor(method: string, path: string): ApiKeyScope | null {
  const p = path.toLowerCase();
  const m = method === 'HEAD' ? 'GET' : method;
  return KEY_ROUTES.find((r) => (r.method === '*' || r.method === m) && r.path.test(p))?.scope ?? null;
}

/** Runs right after authentication: people pass, keys only where their scope allows. */
export function keysOnlyWhereScoped(): Middleware<AppState> {
  return async (ctx, next) => {
    const key = ctx.state.user?.apiKey;
    if (key) {
      const scope = scopeFor(ctx.method, ctx.path);
      if (!scope) throw new UnauthorizedError('API keys are not accepted on this route', 'API_KEY_NOT_ACCEPTED');
      if (!key.scopes.includes(scope)) throw new ForbiddenError(`this API key lacks the ${scope} scope`, 'INSUFFICIENT_SCOPE');
    }
    await next();
  };
}
