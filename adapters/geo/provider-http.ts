/** GETs JSON from an outside geo provider: a timeout, a User-Agent, request spacing and the 429 rule. */

export type ProviderFailure = 'timeout' | 'unreachable' | 'rate_limited' | 'server_error' | 'rejected' | 'bad_answer';

export class ProviderError extends Error {
  readonly code = 'PROVIDER_UNAVAILABLE';
  constructor(readonly provider: string, readonly kind: ProviderFailure, detail: string) {
    super(`${provider}: ${kind} (${detail})`);
    this.name = 'ProviderError';
  }
}

export interface ProviderHttpOptions {
  provider: string;
  timeoutMs: number;
  userAgent: string;
  /** Minimum time between two requests from this process. */
  minIntervalMs?: number;
  /** A request that would wait longer than this for its turn fails at once: a person is waiting. */
  maxQueueMs?: number;
  /** A 429 asking to wait at most this long is retried once after the wait; a longer one fails. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

/** Spaces calls `minIntervalMs` apart, in the order they asked. */
export class RequestSpacing {
  private nextAt = 0;
  constructor(private readonly minIntervalMs: number) {}

  /** Reserves the next free slot; returns how long to wait for it, or null if that is above `maxWaitMs`. */
  reserve(maxWaitMs: number, now = Date.now()): number | null {
    const at = Math.max(now, this.nextAt);
    const wait = at - now;
    if (wait > maxWaitMs) return null;
    this.nextAt = at + this.minIntervalMs;
    return wait;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export function createProviderHttp(options: ProviderHttpOptions) {
  const spacing = new RequestSpacing(options.minIntervalMs ?? 0);
  const maxQueueMs = options.maxQueueMs ?? 3000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 2000;
  const doFetch = options.fetch ?? fetch;
  const fail = (kind: ProviderFailure, detail: string) => new ProviderError(options.provider, kind, detail);

  async function once(url: URL): Promise<{ status: number; retryAfter: number | null; body: unknown }> {
    const wait = spacing.reserve(maxQueueMs);
    if (wait === null) throw fail('rate_limited', 'too many requests waiting for their turn');
    if (wait > 0) await sleep(wait);
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { 'user-agent': options.userAgent, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw fail('timeout', `no answer within ${options.timeoutMs} ms`);
      throw fail('unreachable', e.message);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw fail((err as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable', (err as Error).message);
    }
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      if (res.ok) throw fail('bad_answer', 'not JSON');
    }
    return { status: res.status, retryAfter: retryAfterMs(res.headers.get('retry-after')), body };
  }

  /** The parsed JSON body of a 2xx answer; a 4xx body is returned too when `acceptStatus` allows it. */
  return async function getJson(url: URL, acceptStatus: (status: number) => boolean = () => false): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await once(url);
      if (answer.status === 429) {
        const wait = answer.retryAfter ?? 1000;
        if (attempt === 1 && wait <= maxRetryAfterMs) {
          await sleep(wait);
          continue;
        }
        throw fail('rate_limited', `429, retry after ${Math.round(wait)} ms`);
      }
      if (answer.status >= 200 && answer.status < 300) return answer.body;
      if (acceptStatus(answer.status)) return answer.body;
      throw fail(answer.status >= 500 ? 'server_error' : 'rejected', `HTTP ${answer.status}`);
    }
  };
}
export type ProviderGet = ReturnType<typeof createProviderHttp>;
