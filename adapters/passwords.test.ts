import { describe, expect, it } from 'vitest';
import { hashPassword, isCommonPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('refuses passwords from the breach lists whatever their case, and accepts unlisted ones', () => {
    for (const p of ['password123', 'Qwertyuiop', '1q2w3e4r5t', 'basketball', 'delivery123', 'xxxxxxxxxxxx']) expect(isCommonPassword(p), p).toBe(true);
    for (const p of ['correct horse battery', 'k7#Qm2!vXa', 'pw-2f6e1c0d-unlisted']) expect(isCommonPassword(p), p).toBe(false);
  });

  it('hashes with argon2id at 19 MiB, t=2, p=1, and verifies only the right password', async () => {
    const hash = await hashPassword('k7#Qm2!vXa-long');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'k7#Qm2!vXa-long')).toBe(true);
    expect(await verifyPassword(hash, 'k7#Qm2!vXa-lonG')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });
});
