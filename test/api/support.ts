/** Helpers shared by the API tests: direct database reads, problem assertions, addresses and sessions. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { call, deliveryBody, env, isolatedArea, type Reply, type Session } from '../support/harness.js';

let pool: pg.Pool | undefined;

/** Reads the test database directly, for facts the API rightly never shows (hashes, stored keys). */
export async function sql<T extends pg.QueryResultRow = any>(text: string, params: unknown[] = []): Promise<T[]> {
  pool ??= new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
  return (await pool.query<T>(text, params)).rows;
}

export async function closeSql(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** A problem document (RFC 9457) with the status, and the code when given. */
export function expectProblem(res: Reply, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), code: expect.any(String) });
  if (code) expect(res.body.code).toBe(code);
}

/** A random private address, standing for one client behind a trusted proxy. */
export function uniqueIp(): string {
  const byte = () => Math.floor(Math.random() * 254) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

/** A Redis prefix of its own, so a test's rate-limit counters touch no other test's. */
export const ownRedisPrefix = (name: string) => `${env().REDIS_PREFIX}${name}${randomUUID().slice(0, 6)}`;

export function uniqueEmail(what = 'user'): string {
  return `${what}-${randomUUID().slice(0, 12)}@example.com`;
}

/** A password no list holds. */
export function strongPassword(): string {
  return `pw-${randomUUID()}`;
}

export async function registerAndLogin(base: string, name = 'Casey Tester'): Promise<Session & { email: string; password: string }> {
  const email = uniqueEmail('customer');
  const password = strongPassword();
  const reg = await call(base, 'POST', '/api/v1/auth/register', { body: { email, password, name } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const res = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { token: res.body.accessToken, refreshToken: res.body.refreshToken, user: res.body.user, email, password };
}

/** The claims of a JWT, unverified (tests read what the server issued). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

/** A delivery of `customer` that a dispatcher has assigned to `driver` (no dispatch offers involved). */
export async function assignedDelivery(base: string, customer: Session, dispatcher: Session, driver: Session): Promise<string> {
  const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const assigned = await call(base, 'POST', `/api/v1/deliveries/${created.body.id}/assign`, { token: dispatcher.token, body: { driverId: driver.user.driverId } });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
  return created.body.id;
}
