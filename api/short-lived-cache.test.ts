import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShortLivedCache } from './short-lived-cache.js';

/** A lookup the test releases by hand, counting its calls. */
function gated<V>(answers: V[]) {
  const releases: Array<() => void> = [];
  const lookup = vi.fn(() => {
    const answer = answers[lookup.mock.calls.length - 1]!;
    return new Promise<V>((resolve) => releases.push(() => resolve(answer)));
  });
  return { lookup, release: (n: number) => releases[n]!() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ShortLivedCache', () => {
  it('remembers an answer for its time to live, counted from the lookup', async () => {
    vi.useFakeTimers();
    const cache = new ShortLivedCache<string>(1000, 10);
    const lookup = vi.fn(async () => 'view');
    await cache.get('A', lookup);
    vi.advanceTimersByTime(999);
    await cache.get('A', lookup);
    expect(lookup).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await cache.get('A', lookup);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('shows a remembered answer without a lookup only while get would answer it at once', async () => {
    vi.useFakeTimers();
    const cache = new ShortLivedCache<string>(1000, 10);
    expect(cache.peek('A')).toBeUndefined();
    await cache.get('A', async () => 'view');
    expect(cache.peek('A')).toBe('view');
    vi.advanceTimersByTime(1000);
    expect(cache.peek('A')).toBeUndefined();
    await cache.get('A', async () => 'view');
    cache.forget(['A']);
    expect(cache.peek('A')).toBeUndefined();
    const uncached = new ShortLivedCache<string>(0, 10);
    await uncached.get('A', async () => 'view');
    expect(uncached.peek('A')).toBeUndefined();
  });

  it('starts a new lookup for requests that come after an eviction, and keeps neither the old nor its answer', async () => {
    const { lookup, release } = gated(['before', 'after']);
    const cache = new ShortLivedCache<string>(60_000, 10);
    const early = cache.get('A', lookup);
    const joined = cache.get('A', lookup);
    cache.forget(['A']);
    const late = cache.get('A', lookup);
    expect(lookup).toHaveBeenCalledTimes(2);
    // The lookup that overlapped the eviction answers last, as a slow query would.
    release(1);
    expect(await late).toBe('after');
    release(0);
    expect(await Promise.all([early, joined])).toEqual(['before', 'before']);
    // The answer that overlapped the eviction was not kept; the one after it was.
    expect(await cache.get('A', lookup)).toBe('after');
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('remembers only the answers it is told to keep', async () => {
    const cache = new ShortLivedCache<string | null>(60_000, 10, (v) => v !== null);
    const lookup = vi.fn(async () => null);
    await cache.get('A', lookup);
    await cache.get('A', lookup);
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it('forgets the answers a predicate picks, and everything on clear', async () => {
    const cache = new ShortLivedCache<string>(60_000, 10);
    for (const key of ['A', 'B', 'C']) await cache.get(key, async () => key.toLowerCase());
    cache.forgetWhere((v) => v === 'b');
    expect(cache.size).toBe(2);
    const lookup = vi.fn(async () => 'b2');
    expect(await cache.get('B', lookup)).toBe('b2');
    expect(await cache.get('A', lookup)).toBe('a');
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('takes announcements naming one key each, and forgets everything when told to', async () => {
    const cache = new ShortLivedCache<string>(60_000, 10);
    const lookup = vi.fn(async () => 'view');
    await Promise.all(['A', 'B'].map((key) => cache.get(key, lookup)));
    const evictions = cache.evictions((message) => message.toUpperCase());
    evictions.forget('a');
    await Promise.all(['A', 'B'].map((key) => cache.get(key, lookup)));
    expect(lookup).toHaveBeenCalledTimes(3);
    evictions.forgetAll();
    expect(cache.size).toBe(0);
  });
});
