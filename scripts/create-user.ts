/**
 * `npm run user:create -- --email <e> --name <n> --role admin|dispatcher`: the first staff accounts of
 * a production system, which has no demo data and no sign-up for staff. The password is read from
 * stdin when piped, otherwise generated and printed once. Built to dist/, so a container runs it as
 * `node dist/scripts/create-user.js …`.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, isCommonPassword } from '../adapters/passwords.js';
import { loadConfig } from '../config/env.js';
import { openDatabase } from '../db/connection.js';
import { createAccountStore, EmailTakenError } from '../db/users.js';
import { emailSchema, passwordSchema } from '../domain/schemas.js';

const USAGE = 'usage: npm run user:create -- --email <email> --name <name> --role admin|dispatcher  (password on stdin, or one is generated)';
const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

const email = emailSchema.safeParse(option('email') ?? '');
const name = option('name')?.trim();
const role = option('role');
if (!email.success || !name || (role !== 'admin' && role !== 'dispatcher')) fail(USAGE, 2);

async function readPassword(): Promise<{ password: string; generated: boolean }> {
  if (process.stdin.isTTY) return { password: randomBytes(18).toString('base64url'), generated: true };
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  const password = text.trim();
  return password ? { password, generated: false } : { password: randomBytes(18).toString('base64url'), generated: true };
}

const { password, generated } = await readPassword();
if (!passwordSchema.safeParse(password).success || isCommonPassword(password)) fail('the password must be 10–128 characters and not a common one');

const db = openDatabase(loadConfig().DATABASE_URL, { poolMax: 1 });
try {
  await createAccountStore(db)
    .create({ email: email.data, name, role, passwordHash: await hashPassword(password) })
    .catch((err: unknown) => (err instanceof EmailTakenError ? fail(`a user with e-mail ${email.data} already exists`) : Promise.reject(err)));
  console.log(`created ${role} ${email.data}${generated ? ` with password ${password} (shown once: change it or keep it safe)` : ''}`);
} finally {
  await db.close();
}
