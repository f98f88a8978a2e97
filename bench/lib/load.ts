/** autocannon runs reduced to what the figures report. */
import autocannon, { type Client, type Result } from 'autocannon';

export interface LoadResult {
  /** 2xx answers per second over the run. */
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  statusCodes: Record<string, number>;
}

export function summarizeLoad(result: Result): LoadResult {
  return {
    perSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

export async function load(options: {
  url: string;
  seconds: number;
  connections: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  setupClient?: (client: Client) => void;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    duration: options.seconds,
    connections: options.connections,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    setupClient: options.setupClient,
  });
  return summarizeLoad(result);
}

/** A short run first, so the JIT and connection pools are warm for the measured one. */
export async function warmThenLoad(options: Parameters<typeof load>[0]): Promise<LoadResult> {
  await load({ ...options, seconds: 1 });
  return load(options);
}
