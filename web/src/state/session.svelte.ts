/** Who is signed in, for every page; the tokens themselves stay inside the HTTP client. */
import type { Role } from '../../../domain/status.js';
import { api, type SessionUser } from '../lib/api.js';

export class SessionState {
  user = $state<SessionUser | null>(null);
  /** False until a stored session has been restored (or found missing) after a page load. */
  ready = $state(false);

  constructor() {
    api.http.onSession = (user) => {
      this.user = user;
    };
  }

  async restore(): Promise<void> {
    try {
      await api.auth.restore();
    } catch {
      // Offline at load: the stored refresh token stays for the next attempt.
    } finally {
      this.ready = true;
    }
  }

  has(...roles: Role[]): boolean {
    return this.user !== null && roles.includes(this.user.role);
  }

  async logout(): Promise<void> {
    await api.auth.logout().catch(() => {});
  }
}

/** Where each role starts after signing in. */
export function homeFor(role: Role): string {
  switch (role) {
    case 'admin':
    case 'dispatcher':
      return '/dispatch';
    case 'driver':
      return '/driver';
    case 'customer':
      return '/customer';
  }
}

export const session = new SessionState();
