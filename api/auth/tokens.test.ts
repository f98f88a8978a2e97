import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService, VERIFIED_TOKENS_KEPT } from './tokens.js';

const settings = { secret: 'unit-test-secret-0123456789abcdef0123456789', issuer: 'logistics-platform', accessTtlSeconds: 60 };
const claims = { sub: '6a3b1a52-9a8b-4b0c-8d1e-0f2a3b4c5d6e', role: 'driver' as const, sid: '7a3b1a52-9a8b-4b0c-8d1e-0f2a3b4c5d6e', driverId: 'd-1' };

describe('TokenService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies its own token again and again with the same claims, and refuses another secret', async () => {
    const tokens = new TokenService(settings);
    const token = await tokens.issueAccessToken(claims);
    expect(await tokens.verifyAccessToken(token)).toEqual(claims);
    const first = await tokens.verifyAccessToken(token);
    first.sub = 'changed by a caller';
    expect(await tokens.verifyAccessToken(token)).toEqual(claims);
    const other = new TokenService({ ...settings, secret: 'another-secret-0123456789abcdef0123456789a' });
    await expect(other.verifyAccessToken(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses a token once it has expired, even one it verified before', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z'), toFake: ['Date'] });
    const tokens = new TokenService(settings);
    const token = await tokens.issueAccessToken(claims);
    expect((await tokens.verifyAccessToken(token)).sub).toBe(claims.sub);
    vi.setSystemTime(new Date('2026-03-01T12:00:59Z'));
    expect((await tokens.verifyAccessToken(token)).sub).toBe(claims.sub);
    vi.setSystemTime(new Date('2026-03-01T12:01:00Z'));
    await expect(tokens.verifyAccessToken(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('keeps a bounded number of verified tokens and still verifies the oldest after it was dropped', async () => {
    const tokens = new TokenService(settings);
    const first = await tokens.issueAccessToken(claims);
    await tokens.verifyAccessToken(first);
    const kept = (tokens as unknown as { verified: Map<string, unknown> }).verified;
    for (let i = 0; kept.size < VERIFIED_TOKENS_KEPT; i += 1) kept.set(`filler-${i}`, { claims, until: Date.now() + 60_000 });
    const next = await tokens.issueAccessToken({ ...claims, sub: '8a3b1a52-9a8b-4b0c-8d1e-0f2a3b4c5d6e' });
    await tokens.verifyAccessToken(next);
    expect(kept.size).toBe(VERIFIED_TOKENS_KEPT);
    expect(kept.has(first)).toBe(false);
    expect(await tokens.verifyAccessToken(first)).toEqual(claims);
  });
});
