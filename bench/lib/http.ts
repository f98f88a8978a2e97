/** A small HTTP client for the API, and the sessions the benchmarks act as. */
import { randomUUID } from 'node:crypto';

export interface Reply<T = any> {
  status: number;
  body: T;
}

export async function call<T = any>(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Like `call`, but anything other than `expected` is an error naming the call and the answer. */
export async function expectCall<T = any>(expected: number, base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  const res = await call<T>(base, method, path, options);
  if (res.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

export interface Session {
  token: string;
  user: { id: string; email: string; name: string; role: string; driverId?: string };
}

export async function login(base: string, email: string, password: string): Promise<Session> {
  const body = await expectCall(200, base, 'POST', '/api/v1/auth/login', { body: { email, password } });
  return { token: body.accessToken, user: body.user };
}

/** A new driver on duty at `at`, once dispatch can see the position (positions are written in batches). */
export async function createDriverAt(base: string, dispatcher: Session, at: { lat: number; lng: number }, name: string): Promise<Session> {
  const email = `bench-driver-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  await expectCall(201, base, 'POST', '/api/v1/drivers', {
    token: dispatcher.token,
    body: { name, email, password, vehicle: { type: 'van', capacityKg: 800 } },
  });
  const session = await login(base, email, password);
  await expectCall(200, base, 'PUT', '/api/v1/drivers/me/duty', { token: session.token, body: { onDuty: true } });
  await expectCall(202, base, 'POST', '/api/v1/drivers/me/location', {
    token: session.token,
    body: { lat: at.lat, lng: at.lng, recordedAt: new Date().toISOString() },
  });
  return session;
}

export async function waitForPositions(base: string, dispatcher: Session, driverIds: string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await expectCall(200, base, 'GET', '/api/v1/drivers', { token: dispatcher.token });
    const located = new Set(list.items.filter((d: any) => d.position).map((d: any) => d.id));
    if (driverIds.every((id) => located.has(id))) return;
    if (Date.now() > deadline) throw new Error('driver positions were not saved in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Areas ≥ 2° apart (dispatch searches 0.5° around a pickup) and away from the demo drivers in Berlin,
 * so each benchmark driver is the only candidate for its own deliveries.
 */
const AREAS: Array<{ lat: number; lng: number }> = [];
for (let lng = -170; lng <= 170; lng += 2) {
  for (let lat = -56; lat <= 56; lat += 2) if (Math.abs(lat - 52.5) > 3 || Math.abs(lng - 13.4) > 3) AREAS.push({ lat, lng });
}
export function area(index: number): { lat: number; lng: number } {
  const found = AREAS[index];
  if (!found) throw new Error(`only ${AREAS.length} benchmark areas`);
  return found;
}

export function deliveryBody(at: { lat: number; lng: number }) {
  return {
    pickup: { address: 'Depot 1', lat: at.lat + 0.001, lng: at.lng + 0.001, contactName: 'Pat Baker' },
    dropoff: { address: 'Elm St 14', lat: at.lat + 0.02, lng: at.lng + 0.02, contactName: 'Maria Lopez' },
    parcel: { weightKg: 3, description: 'one box' },
    priority: 'standard',
  };
}
