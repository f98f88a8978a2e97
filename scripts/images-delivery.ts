/**
 * One delivery from quote to DELIVERED, driven only through the HTTP contract, for `npm run
 * images:smoke`: a customer registers, the dispatcher creates a driver, the driver goes on duty, and
 * the delivery is quoted, accepted, offered, taken and stepped to DELIVERED. Two hooks let the caller
 * stop and replace containers midway.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import { check } from './images-support.js';
import { waitFor } from './lib/poll.js';

interface DeliveryView {
  id: string;
  status: string;
  trackingCode: string;
  quote?: { amountCents: number; currency: string };
  offer?: { driverId: string } | null;
  timeline?: Array<{ type: string }>;
  items?: Array<{ position?: unknown }>;
}

export interface Contract {
  readonly base: string;
  call(method: string, route: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: DeliveryView }>;
}

/** The API at `base`; over HTTPS trusting `ca` only (the cluster's self-signed certificate). */
export function contract(base: string, ca?: Buffer): Contract {
  const send = base.startsWith('https:') ? httpsRequest : httpRequest;
  return {
    base,
    call: (method, route, options = {}) =>
      new Promise((resolve, reject) => {
        const payload = options.body ? JSON.stringify(options.body) : undefined;
        const headers = { ...(payload ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
        const req = send(`${base}${route}`, { method, headers, ...(ca ? { ca } : {}), timeout: 30_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as DeliveryView });
            } catch (error) {
              reject(new Error(`${method} ${route}: ${res.statusCode} ${text.slice(0, 200)}`, { cause: error }));
            }
          });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${route}: timeout`)));
        req.on('error', reject);
        req.end(payload);
      }),
  };
}

/** A signature as the driver's phone sends it: the smallest PNG the proof rules (domain/proof-rules.ts) accept. */
const SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]).toString('base64')}`;

export interface DeliveryHooks {
  /** After the driver took the offer (ASSIGNED), before the next milestone. */
  assigned?(): Promise<void>;
  /** After AT_PICKUP, before the parcel is picked up. */
  atPickup?(): Promise<void>;
}

export async function driveDelivery(api: Contract, dispatcherLogin: { email: string; password: string }, hooks: DeliveryHooks = {}): Promise<{ seconds: number }> {
  const { call } = api;
  const login = async (email: string, password: string) =>
    (await call('POST', '/api/v1/auth/login', { body: { email, password } })).body as unknown as { accessToken: string; user: { driverId?: string } };
  const dispatcher = await login(dispatcherLogin.email, dispatcherLogin.password);
  check(Boolean(dispatcher.accessToken), `the dispatcher logged in through ${api.base}`);
  const customerPw = `pw-${randomUUID()}`;
  check((await call('POST', '/api/v1/auth/register', { body: { email: 'pat@example.com', password: customerPw, name: 'Pat Customer' } })).status === 201, 'a customer registered');
  const customer = await login('pat@example.com', customerPw);
  const driverPw = `pw-${randomUUID()}`;
  const driverBody = { name: 'Rosa Driver', email: 'rosa@example.com', password: driverPw, vehicle: { type: 'van', capacityKg: 500 } };
  check((await call('POST', '/api/v1/drivers', { token: dispatcher.accessToken, body: driverBody })).status === 201, 'the dispatcher created a driver');
  const driver = await login('rosa@example.com', driverPw);
  const area = { lat: 52.52, lng: 13.405 };
  await call('PUT', '/api/v1/drivers/me/duty', { token: driver.accessToken, body: { onDuty: true } });
  await call('POST', '/api/v1/drivers/me/location', { token: driver.accessToken, body: { ...area, recordedAt: new Date().toISOString() } });
  await waitFor('the driver position saved', async () => (await call('GET', '/api/v1/drivers', { token: dispatcher.accessToken })).body.items?.some((d) => d.position));

  const quoted = Date.now();
  const delivery = await call('POST', '/api/v1/deliveries', {
    token: customer.accessToken,
    body: {
      pickup: { address: 'Bakery, 5th Avenue 1', lat: area.lat + 0.001, lng: area.lng + 0.001 },
      dropoff: { address: 'Elm St 14', lat: area.lat + 0.02, lng: area.lng + 0.02, contactName: 'Maria Lopez' },
      parcel: { weightKg: 12 },
      priority: 'standard',
    },
  });
  check(delivery.status === 201 && delivery.body.status === 'QUOTED', `quoted: ${delivery.body.quote?.amountCents} ${delivery.body.quote?.currency}`);
  const id = delivery.body.id;
  const milestone = async (type: string, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.accessToken, body: { type, ...extra } });
    return res.status === 200 ? res.body.status : `${type}: HTTP ${res.status} ${JSON.stringify(res.body)}`;
  };
  const reached = (got: string, want: string) => check(got === want, got === want ? want : `${want} expected; ${got}`);
  check((await call('POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.accessToken })).body.status === 'DISPATCHING', 'the customer accepted the quote');
  await waitFor('the offer to the driver', async () => (await call('GET', `/api/v1/deliveries/${id}`, { token: dispatcher.accessToken })).body.offer?.driverId === driver.user.driverId);
  reached(await milestone('accept_offer'), 'ASSIGNED');
  await hooks.assigned?.();
  reached(await milestone('arrived_pickup'), 'AT_PICKUP');
  await hooks.atPickup?.();
  reached(await milestone('picked_up', { proof: { recipientName: 'Pat Baker' } }), 'IN_TRANSIT');
  reached(await milestone('arrived_dropoff'), 'AT_DROPOFF');
  reached(await milestone('delivered', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE } }), 'DELIVERED');
  const final = await waitFor('the read model at DELIVERED', async () => {
    const res = await call('GET', `/api/v1/deliveries/${id}`, { token: customer.accessToken });
    return res.body.timeline?.some((e) => e.type === 'delivered') ? res.body : null;
  });
  const seconds = (Date.now() - quoted) / 1000;
  check(final.status === 'DELIVERED', `timeline: ${final.timeline!.map((e) => e.type).join(' → ')} (${seconds.toFixed(1)} s)`);
  const tracked = await call('GET', `/api/v1/track/${final.trackingCode}`);
  check(tracked.body.status === 'DELIVERED', 'the public tracking page says DELIVERED');
  return { seconds };
}
