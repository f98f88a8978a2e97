/**
 * Every request the simulated users make, through one recorder: when it was sent, how long it took and
 * whether the server answered it. A 5xx, a timeout or a broken connection is a failed request; a 4xx is
 * an answer (the API refusing a stale tap is the API working).
 */

export interface RequestRecord {
  at: number;
  ms: number;
  route: string;
  /** 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  failed: boolean;
}

export class RequestLog {
  readonly records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  between(from: number, to: number): RequestRecord[] {
    return this.records.filter((r) => r.at >= from && r.at < to);
  }
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** The route with ids and codes taken out, so figures group by what was asked. */
function routeOf(method: string, path: string): string {
  return `${method} ${path.split('?')[0]!.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '/:id').replace(/\/track\/[^/]+/, '/track/:code')}`;
}

export class Caller {
  constructor(
    readonly baseUrl: string,
    private readonly log: RequestLog,
    private readonly timeoutMs = 15_000,
  ) {}

  /** One request; never throws: no answer is status 0. */
  async call<T = unknown>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const at = Date.now();
    const route = routeOf(method, path);
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // a proxy's error page: kept as text
      }
      this.log.add({ at, ms: Date.now() - at, route, status: res.status, failed: res.status >= 500 });
      return { status: res.status, body: body as T };
    } catch (error) {
      this.log.add({ at, ms: Date.now() - at, route, status: 0, failed: true });
      return { status: 0, body: { error: String(error) } as T };
    }
  }
}
