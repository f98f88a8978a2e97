import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, HttpClient } from './http.js';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const user = { id: 'u1', email: 'a@example.com', name: 'A', role: 'driver' as const };

afterEach(() => vi.unstubAllGlobals());

describe('HTTP client', () => {
  it('asks again with the same Idempotency-Key while the workflow has not answered (504 WORKFLOW_PENDING)', async () => {
    vi.useFakeTimers();
    const keys: string[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      keys.push((init.headers as Record<string, string>)['idempotency-key']!);
      if (keys.length < 3) return json(504, { title: 'Pending', code: 'WORKFLOW_PENDING', detail: 'still working' }, 'application/problem+json');
      return json(200, { id: 'd1' });
    });
    const http = new HttpClient('/api/v1', memoryStorage());
    http.adopt({ accessToken: 'token', user });
    const answer = http.request('POST', '/deliveries', { body: {} });
    await vi.runAllTimersAsync();
    await expect(answer).resolves.toEqual({ id: 'd1' });
    vi.useRealTimers();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('refreshes once on a 401 and retries with the same Idempotency-Key', async () => {
    const storage = memoryStorage();
    storage.setItem('lp.session', '1');
    const calls: { url: string; auth?: string; key?: string; body?: unknown; mode?: string }[] = [];
    let refreshed = false;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      calls.push({ url, auth: headers.authorization, key: headers['idempotency-key'], body: init.body, mode: headers['x-refresh-token-transport'] });
      if (url.endsWith('/auth/refresh')) {
        refreshed = true;
        return json(200, { accessToken: 'fresh', user });
      }
      if (headers.authorization !== 'Bearer fresh') return json(401, { title: 'Unauthorized', code: 'TOKEN_EXPIRED', detail: 'expired' }, 'application/problem+json');
      return json(200, { ok: true });
    });
    const http = new HttpClient('/api/v1', storage);
    http.adopt({ accessToken: 'stale', user });
    await expect(http.request('POST', '/deliveries/x/cancel', { body: { reason: 'r' } })).resolves.toEqual({ ok: true });
    expect(refreshed).toBe(true);
    const posts = calls.filter((c) => c.url.endsWith('/cancel'));
    expect(posts).toHaveLength(2);
    expect(posts[0]!.key).toMatch(/^[0-9a-f]{32}$/);
    expect(posts[1]!.key).toBe(posts[0]!.key);
    // The refresh token is never in script's reach: the refresh asks for the cookie and sends no token.
    const refresh = calls.find((c) => c.url.endsWith('/auth/refresh'))!;
    expect(refresh).toMatchObject({ body: '{}', mode: 'cookie' });
    expect(storage.getItem('lp.session')).toBe('1');
  });

  it('turns problem+json into an ApiError with the field problems', async () => {
    vi.stubGlobal('fetch', async () =>
      json(400, { title: 'Bad Request', code: 'VALIDATION', detail: 'invalid request', errors: [{ path: 'body.pickup.lat', message: 'too big' }] }, 'application/problem+json'),
    );
    const http = new HttpClient('/api/v1', memoryStorage());
    const err = await http.request('POST', '/deliveries', { body: {}, anonymous: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION', retryable: false });
    expect((err as ApiError).summary).toBe('invalid request: pickup.lat too big');
  });

  it('reports a dead network as a retryable error and keeps the session', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const http = new HttpClient('/api/v1', storage);
    http.adopt({ accessToken: 'a', user });
    const err = (await http.request('GET', '/deliveries').catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.retryable).toBe(true);
    expect(http.hasStoredSession).toBe(true);
  });

  it('ends the session when the refresh token is refused', async () => {
    const storage = memoryStorage();
    storage.setItem('lp.session', '1');
    vi.stubGlobal('fetch', async () => json(401, { title: 'Unauthorized', code: 'REFRESH_REUSED', detail: 'reused' }, 'application/problem+json'));
    const seen: unknown[] = [];
    const http = new HttpClient('/api/v1', storage);
    http.onSession = (u) => seen.push(u);
    await expect(http.refresh()).resolves.toBeNull();
    expect(storage.getItem('lp.session')).toBeNull();
    expect(seen).toEqual([null]);
  });
});
