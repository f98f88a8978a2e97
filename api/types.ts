import type { Logger } from 'pino';
import type { Role } from '../domain/status.js';

export interface AuthUser {
  id: string;
  role: Role;
  email: string;
  name: string;
  driverId?: string;
  /** The session (refresh-token family) the access token belongs to. */
  sessionId?: string;
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
