/** `npm run user:create`: the first staff account of a production system, able to log in with its role. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { env, login } from '../support/harness.js';

const it = apiTest();
const root = path.resolve(import.meta.dirname, '..', '..');

function createUser(args: string[], stdin: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'create-user.ts'), ...args], { cwd: root, env: { ...process.env, ...env() } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, out: stdout + stderr }),
    );
    child.stdin!.end(stdin);
  });
}

describe('creating a staff account from the command line', () => {
  it('creates an admin who can log in, and refuses the same e-mail twice', async ({ api }) => {
    const email = `admin-${randomUUID().slice(0, 8)}@example.com`;
    const password = `pw-${randomUUID()}`;
    const created = await createUser(['--email', email, '--name', 'Olu Admin', '--role', 'admin'], `${password}\n`);
    expect(created).toEqual({ code: 0, out: `created admin ${email}\n` });
    const session = await login(api.url, email, password);
    expect(session.user).toMatchObject({ email, role: 'admin', name: 'Olu Admin' });

    const again = await createUser(['--email', email, '--name', 'Olu Admin', '--role', 'admin'], `${password}\n`);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`a user with e-mail ${email} already exists`);
  });

  it('rejects a role that is not staff and a weak password', async () => {
    const customer = await createUser(['--email', 'x@example.com', '--name', 'X', '--role', 'customer'], 'long-enough-password\n');
    expect(customer.code).toBe(2);
    const weak = await createUser(['--email', `w-${randomUUID().slice(0, 6)}@example.com`, '--name', 'W', '--role', 'dispatcher'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.out).toContain('10–128 characters');
  });
});
