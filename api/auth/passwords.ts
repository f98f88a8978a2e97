import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id minimum: 19 MiB memory, 2 iterations, 1 lane (argon2id is the library's default algorithm). */
const ARGON2_OPTIONS = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** The passwords attackers try first; a longer list belongs in a breach-corpus service. */
const COMMON_PASSWORDS = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', '0000000000', '1234512345', '1q2w3e4r5t',
  'qwertyuiop', 'qwerty1234', 'qwerty12345', 'password12', 'password123', 'password1234', 'passw0rd123',
  'iloveyou12', 'football12', 'baseball12', 'welcome123', 'welcome1234', 'letmein123', 'abc1234567',
  'abcdefghij', 'asdfghjkl1', 'zxcvbnm123', 'princess12', 'sunshine12', 'superman12', 'starwars12',
  'trustno1234', 'dragon1234', 'monkey1234', 'master1234', 'shadow1234', 'michael123', 'jennifer12',
  'administrator', 'changeme123', 'changeme1234', 'logistics123', 'delivery123', 'qazwsxedc1',
  'p@ssword123', 'p@ssw0rd123', 'password!1', 'password!!', 'passwordpassword', 'aaaaaaaaaa',
]);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Spent on unknown e-mails so a login's timing does not reveal which accounts exist. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-account-password');
  await verifyPassword(await dummyHash, password);
}
