/** Helpers for integration tests: an API instance per file, sessions, drivers placed where a test wants. */
import { randomUUID } from 'node:crypto';
import { inject, vi } from 'vitest';
import { loadConfig } from '../../config/env.js';
import { startApi, type RunningApi } from '../../api/server.js';

export const env = () => inject('testEnv');
export const DEMO_PASSWORD = () => env().DEMO_PASSWORD!;

export interface TestApi {
  url: string;
  running: RunningApi;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const running = await startApi(loadConfig({ ...env(), PORT: '0', ...overrides }));
  return { url: `http://127.0.0.1:${running.port}`, running, close: () => running.close() };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export interface Session {
  token: string;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: string; driverId?: string };
}

export async function login(base: string, email: string, password = DEMO_PASSWORD()): Promise<Session> {
  const res = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, refreshToken: res.body.refreshToken, user: res.body.user };
}

/** The accounts `db/seed.ts` makes, by the name before `@example.com`. */
export type DemoAccount = 'admin' | 'dispatcher' | 'customer' | 'driver1' | 'driver2' | 'driver3' | 'driver4' | 'driver5';

/** Logs in demo accounts together: `[customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher')`. */
export function loginAs<const T extends DemoAccount[]>(base: string, ...accounts: T): Promise<{ [K in keyof T]: Session }> {
  return Promise.all(accounts.map((account) => login(base, `${account}@example.com`))) as Promise<{ [K in keyof T]: Session }>;
}

export async function registerCustomer(base: string, name = 'Test Customer'): Promise<Session> {
  const email = `customer-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const res = await call(base, 'POST', '/api/v1/auth/register', { body: { email, password, name } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(base, email, password);
}

/** A fresh area far from every other test's, so dispatch only sees the drivers a test places there. */
export function isolatedArea(): { lat: number; lng: number } {
  return { lat: -40 + Math.random() * 80, lng: -150 + Math.random() * 300 };
}

export async function createDriverAt(
  base: string,
  dispatcher: Session,
  at: { lat: number; lng: number },
  /** `password`: one the test knows, to sign in as the driver through a page. */
  options: { name?: string; capacityKg?: number; onDuty?: boolean; password?: string } = {},
): Promise<Session> {
  const email = `driver-${randomUUID().slice(0, 8)}@example.com`;
  const password = options.password ?? `pw-${randomUUID()}`;
  const created = await call(base, 'POST', '/api/v1/drivers', {
    token: dispatcher.token,
    body: { name: options.name ?? 'Tess Driver', email, password, vehicle: { type: 'van', capacityKg: options.capacityKg ?? 500 } },
  });
  if (created.status !== 201) throw new Error(`driver create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const session = await login(base, email, password);
  if (options.onDuty !== false) {
    await call(base, 'PUT', '/api/v1/drivers/me/duty', { token: session.token, body: { onDuty: true } });
  }
  await call(base, 'POST', '/api/v1/drivers/me/location', {
    token: session.token,
    body: { lat: at.lat, lng: at.lng, recordedAt: new Date().toISOString() },
  });
  // Positions are written in batches: wait until dispatch can see this one.
  await waitFor('driver position saved', async () => {
    const list = await call(base, 'GET', '/api/v1/drivers', { token: dispatcher.token });
    return list.body.items?.some((d: any) => d.id === session.user.driverId && d.position);
  });
  return session;
}

/** The smallest PNG a proof accepts: a stand-in for a signature drawn on the phone. */
export const SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]).toString('base64')}`;

/**
 * Proof that meets the policy (domain/proof-rules.ts) for a milestone that needs one, else nothing:
 * the sender's name at pickup, the recipient's name and a signature at the door, a signature on return.
 */
export function proofFor(type: string, recipientName = 'Maria Lopez'): { proof?: Record<string, string> } {
  if (type === 'picked_up') return { proof: { recipientName: 'Pat Baker' } };
  if (type === 'delivered') return { proof: { recipientName, signature: SIGNATURE } };
  if (type === 'returned') return { proof: { recipientName: 'Pat Baker', signature: SIGNATURE } };
  return {};
}

export function deliveryBody(area: { lat: number; lng: number }, overrides: Record<string, unknown> = {}) {
  return {
    pickup: { address: 'Bakery, 5th Avenue 1', lat: area.lat + 0.001, lng: area.lng + 0.001, contactName: 'Pat Baker', contactPhone: '+49 30 1234567' },
    dropoff: { address: 'Elm St 14', lat: area.lat + 0.02, lng: area.lng + 0.02, contactName: 'Maria Lopez' },
    parcel: { weightKg: 12, description: '3 boxes' },
    priority: 'standard',
    ...overrides,
  };
}

/** For the few waits that have nothing to poll: a time that must pass before a thing is checked. */
export const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` until it returns something truthy; a probe that throws is retried too. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 150): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: everyMs },
  );
}

/** Polls a delivery until a predicate holds; returns the delivery. */
export function waitForDelivery(base: string, token: string, id: string, predicate: (d: any) => boolean, timeoutMs = 30_000) {
  return waitFor(`delivery ${id}`, async () => {
    const res = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token });
    return res.status === 200 && predicate(res.body) ? res.body : null;
  }, timeoutMs);
}
