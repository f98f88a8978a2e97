import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthUser } from '../types.js';
import { SessionCache } from './session-cache.js';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const S1 = '10000000-0000-4000-8000-000000000001';
const S2 = '10000000-0000-4000-8000-000000000002';

const user = (id: string, sessionId: string): AuthUser => ({ id, role: 'driver', email: `${id}@example.com`, name: 'Ann', sessionId });

/** A session store the test controls: which sessions are live, and how many times it was asked. */
function store() {
  const live = new Map<string, string>([[S1, ALICE], [S2, ALICE]]);
  const lookup = vi.fn(async (userId: string, sessionId: string) => (live.get(sessionId) === userId ? user(userId, sessionId) : null));
  return { live, lookup };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionCache', () => {
  it('asks once for a live session within its time to live, and again after it', async () => {
    vi.useFakeTimers();
    const { lookup } = store();
    const cache = new SessionCache(lookup, 3000);
    expect(await cache.activeUser(ALICE, S1)).toMatchObject({ id: ALICE, sessionId: S1 });
    vi.advanceTimersByTime(2999);
    expect(await cache.activeUser(ALICE, S1)).toMatchObject({ id: ALICE });
    expect(lookup).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await cache.activeUser(ALICE, S1);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('never remembers an ended session', async () => {
    const { live, lookup } = store();
    live.delete(S1);
    const cache = new SessionCache(lookup, 3000);
    expect(await cache.activeUser(ALICE, S1)).toBeNull();
    expect(await cache.activeUser(ALICE, S1)).toBeNull();
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('gives a remembered session only to the account it belongs to', async () => {
    const { lookup } = store();
    const cache = new SessionCache(lookup, 3000);
    await cache.activeUser(ALICE, S1);
    expect(await cache.activeUser(BOB, S1)).toBeNull();
  });

  it('forgets ended sign-ins and every sign-in of a disabled account at once', async () => {
    const { live, lookup } = store();
    const cache = new SessionCache(lookup, 60_000);
    await cache.activeUser(ALICE, S1);
    await cache.activeUser(ALICE, S2);
    live.delete(S1);
    cache.forget({ sessionIds: [S1] });
    expect(await cache.activeUser(ALICE, S1)).toBeNull();
    expect(await cache.activeUser(ALICE, S2)).not.toBeNull();
    live.clear();
    cache.forget({ userId: ALICE });
    expect(await cache.activeUser(ALICE, S2)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('does not keep what a lookup read before a revocation it overlapped', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const lookup = vi.fn(async (userId: string, sessionId: string) => {
      if (lookup.mock.calls.length === 1) await gate;
      return lookup.mock.calls.length === 1 ? user(userId, sessionId) : null;
    });
    const cache = new SessionCache(lookup, 60_000);
    const early = cache.activeUser(ALICE, S1);
    cache.forget({ sessionIds: [S1] });
    release();
    expect(await early).not.toBeNull();
    // The answer read before the revocation is not reused: the next request asks again.
    expect(await cache.activeUser(ALICE, S1)).toBeNull();
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('shares one lookup between requests that arrive together', async () => {
    const { lookup } = store();
    const cache = new SessionCache(lookup, 3000);
    const users = await Promise.all(Array.from({ length: 20 }, () => cache.activeUser(ALICE, S1)));
    expect(users.every((u) => u?.id === ALICE)).toBe(true);
    expect(lookup).toHaveBeenCalledTimes(1);
    users[0]!.name = 'changed by a caller';
    expect((await cache.activeUser(ALICE, S1))!.name).toBe('Ann');
  });

  it('stays bounded, dropping the oldest session first', async () => {
    const { lookup } = store();
    const cache = new SessionCache(lookup, 60_000, 1);
    await cache.activeUser(ALICE, S1);
    await cache.activeUser(ALICE, S2);
    expect(cache.size).toBe(1);
    await cache.activeUser(ALICE, S1);
    expect(lookup).toHaveBeenCalledTimes(3);
  });

  it('asks every time with a time to live of 0', async () => {
    const { lookup } = store();
    const cache = new SessionCache(lookup, 0);
    await cache.activeUser(ALICE, S1);
    await cache.activeUser(ALICE, S1);
    expect(lookup).toHaveBeenCalledTimes(2);
  });
});
