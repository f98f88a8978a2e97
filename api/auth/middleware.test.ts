import { describe, expect, it } from 'vitest';
import { bearerToken } from './middleware.js';

describe('bearerToken', () => {
  it('reads the token of a Bearer header, in any case of the scheme', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    for (const h of [undefined, '', 'Bearer', 'Basic abc', 'Bearer a b', 'Bearer abc\n']) expect(bearerToken(h)).toBeNull();
  });
});
