/** The typed client of the HTTP contract (DESIGN §5): the only way the pages talk to the server. */
import type { AlertRecord, AlertState } from '../../../domain/alerts.js';
import type { Delivery, TrackingView } from '../../../domain/delivery.js';
import type { DriverSummary } from '../../../domain/drivers.js';
import type { DraftDelivery } from '../../../domain/intake.js';
import type { CreatePlaceBody, GeocodeReply, GeocoderStatus, RecentAddress, SavedPlace } from '../../../domain/places.js';
import type { NotificationView, WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView } from '../../../domain/notifications.js';
import type { ImportView } from '../../../domain/imports.js';
import type { ApiKeyScope, ApiKeyView, InviteView, MemberView, OrganizationRole, OrganizationView } from '../../../domain/organizations.js';
import type { CreateDeliveryBody, LocationPing, MilestoneBody } from '../../../domain/schemas.js';
import type { DeliveryStatus } from '../../../domain/status.js';
import { HttpClient, type SessionTokens, type SessionUser } from './http.js';

export { ApiError, newIdempotencyKey, type SessionUser } from './http.js';
export type { DriverSummary } from '../../../domain/drivers.js';

export interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
}

export interface ListDeliveriesQuery {
  status?: DeliveryStatus[];
  driverId?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface IntakeReply {
  draft: DraftDelivery;
  missing: string[];
  source: 'groq' | 'fallback';
  /** How each stop was placed; `confirm` means several matches for the customer to choose from. */
  addresses?: { pickup?: 'given' | 'located' | 'confirm' | 'not_found'; dropoff?: 'given' | 'located' | 'confirm' | 'not_found' };
}

/** What the pages read at run time (`GET /config`). */
export interface PageConfig {
  map: { tileUrl: string | null; attribution: string; maxZoom: number };
  geocoder: boolean;
  router: boolean;
}

/** The road line between a delivery's stops; `points` is null when no router measured it. */
export interface RouteLine {
  points: { lat: number; lng: number }[] | null;
  distanceKm: number;
  durationMin: number | null;
  estimated: boolean;
  /** When the driver should reach their next stop, measured from their last position. */
  driverEta: { to: 'pickup' | 'dropoff'; at: string; distanceKm: number; estimated: boolean } | null;
}

export interface PinName {
  label: string;
  source: string;
  geocoder: GeocoderStatus;
}

export interface AssistantReply {
  answer: string;
  source: string;
}

function createApi(http = new HttpClient()) {
  return {
    http,
    auth: {
      async login(email: string, password: string): Promise<SessionUser> {
        return http.adopt(await http.request<SessionTokens>('POST', '/auth/login', { body: { email, password }, anonymous: true, refreshCookie: true }));
      },
      register: (body: { email: string; password: string; name: string }) =>
        http.request<{ user: SessionUser }>('POST', '/auth/register', { body, anonymous: true }),
      /** Signs back in from the stored refresh token after a page load; null when there is none. */
      async restore(): Promise<SessionUser | null> {
        if (!http.hasStoredSession) return null;
        return (await http.refresh())?.user ?? null;
      },
      async logout(): Promise<void> {
        try {
          // The server ends the session of the access token and of the refresh cookie, and clears the cookie.
          if (http.hasStoredSession) await http.request('POST', '/auth/logout', { body: {}, refreshCookie: true });
        } finally {
          http.forget();
        }
      },
    },
    deliveries: {
      create: (body: CreateDeliveryBody) => http.request<Delivery>('POST', '/deliveries', { body }),
      list: (q: ListDeliveriesQuery = {}) =>
        http.request<DeliveryPage>('GET', '/deliveries', {
          query: { status: q.status?.join(','), driverId: q.driverId, q: q.q, limit: q.limit, cursor: q.cursor },
        }),
      get: (id: string) => http.request<Delivery>('GET', `/deliveries/${encodeURIComponent(id)}`),
      route: (id: string) => http.request<RouteLine>('GET', `/deliveries/${encodeURIComponent(id)}/route`),
      acceptQuote: (id: string) => http.request<Delivery>('POST', `/deliveries/${encodeURIComponent(id)}/accept-quote`),
      cancel: (id: string, reason: string) => http.request<Delivery>('POST', `/deliveries/${encodeURIComponent(id)}/cancel`, { body: { reason } }),
      assign: (id: string, driverId: string) =>
        http.request<Delivery>('POST', `/deliveries/${encodeURIComponent(id)}/assign`, { body: { driverId } }),
      /** The key is the driver's tap: a replay after a lost answer is applied once. */
      milestone: (id: string, body: MilestoneBody, idempotencyKey: string) =>
        http.request<Delivery>('POST', `/deliveries/${encodeURIComponent(id)}/milestones`, { body, idempotencyKey }),
      proofImage: (id: string, proofId: string) =>
        http.request<Blob>('GET', `/deliveries/${encodeURIComponent(id)}/proofs/${encodeURIComponent(proofId)}`, { accept: 'blob' }),
    },
    tracking: {
      get: (code: string) => http.request<TrackingView>('GET', `/track/${encodeURIComponent(code)}`, { anonymous: true }),
      route: (code: string) => http.request<RouteLine>('GET', `/track/${encodeURIComponent(code)}/route`, { anonymous: true }),
    },
    drivers: {
      list: async () => (await http.request<{ items: DriverSummary[] }>('GET', '/drivers')).items,
      setDuty: (onDuty: boolean) => http.request<{ driverId: string; onDuty: boolean }>('PUT', '/drivers/me/duty', { body: { onDuty } }),
      sendLocation: (pings: LocationPing[]) =>
        http.request<{ accepted: number }>('POST', '/drivers/me/location', { body: pings.length === 1 ? pings[0] : pings }),
    },
    alerts: {
      list: async (state: AlertState = 'open') => (await http.request<{ items: AlertRecord[] }>('GET', '/alerts', { query: { state } })).items,
      acknowledge: (id: string) => http.request<AlertRecord>('POST', `/alerts/${encodeURIComponent(id)}/acknowledge`),
      overrideCode: (deliveryId: string, reason: string) =>
        http.request<Delivery>('POST', `/deliveries/${encodeURIComponent(deliveryId)}/code-override`, { body: { reason } }),
    },
    notifications: {
      list: async (deliveryId?: string) =>
        (await http.request<{ items: NotificationView[] }>('GET', '/notifications', { query: { deliveryId, limit: 50 } })).items,
    },
    webhooks: {
      list: async () => (await http.request<{ items: WebhookEndpointView[] }>('GET', '/webhooks')).items,
      /** The answer is the only time the signing secret is shown. */
      create: (body: { url: string; events: string[]; description?: string }) =>
        http.request<WebhookEndpointView & { secret: string }>('POST', '/webhooks', { body }),
      remove: (id: string) => http.request<void>('DELETE', `/webhooks/${encodeURIComponent(id)}`),
      deliveries: async (id: string, status?: WebhookDeliveryStatus) =>
        (await http.request<{ items: WebhookDeliveryView[] }>('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { status } })).items,
      redeliver: (id: string, deliveryId: string) =>
        http.request<WebhookDeliveryView>('POST', `/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`),
    },
    config: () => http.request<PageConfig>('GET', '/config', { anonymous: true }),
    places: {
      search: (q: string, near?: { lat: number; lng: number }) =>
        http.request<GeocodeReply>('GET', '/geocode', { query: { q, near: near ? `${near.lat.toFixed(5)},${near.lng.toFixed(5)}` : undefined } }),
      nameOf: (p: { lat: number; lng: number }) => http.request<PinName>('GET', '/geocode/reverse', { query: { lat: p.lat.toFixed(6), lng: p.lng.toFixed(6) } }),
      list: () => http.request<{ items: SavedPlace[]; recent: RecentAddress[] }>('GET', '/places'),
      save: (body: CreatePlaceBody) => http.request<SavedPlace>('POST', '/places', { body }),
      remove: (id: string) => http.request<void>('DELETE', `/places/${encodeURIComponent(id)}`),
    },
    organizations: {
      list: async () => (await http.request<{ items: OrganizationView[] }>('GET', '/organizations')).items,
      create: (name: string) => http.request<OrganizationView>('POST', '/organizations', { body: { name } }),
      join: (token: string) => http.request<OrganizationView>('POST', '/organizations/join', { body: { token } }),
      members: async (id: string) => (await http.request<{ items: MemberView[] }>('GET', `/organizations/${encodeURIComponent(id)}/members`)).items,
      removeMember: (id: string, userId: string) => http.request<void>('DELETE', `/organizations/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`),
      invites: async (id: string) => (await http.request<{ items: InviteView[] }>('GET', `/organizations/${encodeURIComponent(id)}/invites`)).items,
      /** The answer is the only time the invite's token is shown. */
      invite: (id: string, body: { email: string; role: OrganizationRole }) =>
        http.request<InviteView & { token: string; acceptUrl: string }>('POST', `/organizations/${encodeURIComponent(id)}/invites`, { body }),
      keys: async (id: string) => (await http.request<{ items: ApiKeyView[] }>('GET', `/organizations/${encodeURIComponent(id)}/api-keys`)).items,
      /** The answer is the only time the key is shown. */
      createKey: (id: string, body: { name: string; scopes: ApiKeyScope[] }) =>
        http.request<ApiKeyView & { key: string }>('POST', `/organizations/${encodeURIComponent(id)}/api-keys`, { body }),
      revokeKey: (id: string, keyId: string) => http.request<void>('DELETE', `/organizations/${encodeURIComponent(id)}/api-keys/${encodeURIComponent(keyId)}`),
    },
    imports: {
      upload: (csv: string) => http.request<ImportView>('POST', '/deliveries/import', { raw: { body: csv, contentType: 'text/csv' } }),
      get: (id: string) => http.request<ImportView>('GET', `/imports/${encodeURIComponent(id)}`),
    },
    ai: {
      intake: (text: string, utcOffset: string) => http.request<IntakeReply>('POST', '/ai/intake', { body: { text, utcOffset } }),
      assistant: (question: string) => http.request<AssistantReply>('POST', '/ai/assistant', { body: { question } }),
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The app's one client: one token store per tab. */
export const api: Api = createApi();
