import { api } from '../lib/api.js';
import { connectLive, type LiveClient, type LiveClientOptions } from '../lib/live-client.js';
import { session } from './session.svelte.js';

/**
 * The live connection of a signed-in page: the session's token on every (re)connect, deliveries
 * refetched through the API, and a sign-out when the server ends the session.
 */
export async function connectSignedIn(
  options: Omit<LiveClientOptions, 'auth' | 'getToken' | 'fetchDelivery' | 'onRevoked'> & { organizationId?: string },
): Promise<LiveClient> {
  const { organizationId, ...handlers } = options;
  return connectLive({
    auth: { token: await api.http.token(), organizationId },
    getToken: () => api.http.token(),
    fetchDelivery: (id) => api.deliveries.get(id),
    onRevoked: () => void session.logout(),
    ...handlers,
  });
}
