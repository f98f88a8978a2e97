import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** OWASP's argon2id minimum: 19 MiB memory, 2 iterations, 1 lane (argon2id is the library's default algorithm). */
const ARGON2_OPTIONS = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** Passwords of this service's own vocabulary, which no public list knows to refuse. */
const LOCAL_COMMON = [
  'logistics123', 'delivery123', 'delivery1234', 'dispatcher1', 'dispatch123', 'driver12345', 'courier1234',
  'changeme123', 'changeme1234', 'welcome1234', 'password!1', 'password!!', 'p@ssword123', 'p@ssw0rd123',
];

/**
 * The most used passwords (zxcvbn's list of the top 50 000, from breach corpora) that pass the length rule.
 * Built on first use: decompressing the list takes a few milliseconds.
 */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    [...dictionary['passwords-common'], ...LOCAL_COMMON].filter((p) => p.length >= 10).map((p) => p.toLowerCase()),
  );
  return common;
}

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  // A single repeated character is as guessable as any listed password.
  return commonPasswords().has(lower) || /^(.)\1*$/.test(lower);
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
