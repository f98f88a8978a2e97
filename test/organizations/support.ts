/** Helpers for the organisation tests: an organisation with an owner and members, and calls made in it. */
import { expect } from 'vitest';
import { call, type Reply } from '../support/harness.js';
import { registerAndLogin } from '../api/support.js';

export type Person = Awaited<ReturnType<typeof registerAndLogin>>;

export interface Organization {
  id: string;
  owner: Person;
  members: Person[];
}

/** Calls the API acting in an organisation (`X-Organization-Id`). */
export function callIn(base: string, organizationId: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  return call(base, method, path, { ...options, headers: { 'x-organization-id': organizationId, ...options.headers } });
}

/** Invites `person` and has them accept, as the product's flow does. */
export async function join(base: string, organizationId: string, owner: Person, person: Person, role: 'owner' | 'member' = 'member'): Promise<void> {
  const invite = await call(base, 'POST', `/api/v1/organizations/${organizationId}/invites`, { token: owner.token, body: { email: person.email, role } });
  expect(invite.status, JSON.stringify(invite.body)).toBe(201);
  const accepted = await call(base, 'POST', '/api/v1/organizations/join', { token: person.token, body: { token: invite.body.token } });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

export async function organizationWith(base: string, memberCount: number, name = 'Corner Bakery'): Promise<Organization> {
  const owner = await registerAndLogin(base, 'Olive Owner');
  const created = await call(base, 'POST', '/api/v1/organizations', { token: owner.token, body: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const members: Person[] = [];
  for (let i = 0; i < memberCount; i += 1) {
    const member = await registerAndLogin(base, `Mel Member ${i}`);
    await join(base, created.body.id, owner, member);
    members.push(member);
  }
  return { id: created.body.id, owner, members };
}
