import type { Logger } from 'pino';
import type { ApiKeyScope, OrganizationRole } from '../domain/organizations.js';
import type { Role } from '../domain/status.js';

export interface AuthUser {
  id: string;
  role: Role;
  email: string;
  name: string;
  driverId?: string;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId?: string;
  /** The organisation this request acts in (a checked `X-Organization-Id`, or the API key's own). */
  organizationId?: string;
  organizationRole?: OrganizationRole;
  /** Set when an API key, not a person, signed the request; `id` is then the user who made the key. */
  apiKey?: { id: string; scopes: ApiKeyScope[] };
}

/** Per-request data (Koa's `ctx.state`). */
export interface AppState {
  requestId: string;
  log: Logger;
  user?: AuthUser;
  body?: unknown;
  query?: unknown;
  params?: Record<string, string>;
}
