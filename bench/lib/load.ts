/** autocannon runs reduced to what the figures report. */
import autocannon, { type Client, type Result } from 'autocannon';

export interface LoadResult {
  /** 2xx answers per second over the run. */
  perSecond: number;
  seconds: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  statusCodes: Record<string, number>;
}

export function summarizeLoad(result: Result): LoadResult {
  return {
    perSecond: result['2xx'] / result.duration,
    seconds: result.duration,
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

/** Rounds of one side added up: the rate over all of them, the median's mean and the worst p99. */
export function combine(rounds: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    perSecond: sum((r) => r.ok) / sum((r) => r.seconds),
    seconds: sum((r) => r.seconds),
    p50: sum((r) => r.p50) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    ok: sum((r) => r.ok),
    failed: sum((r) => r.failed),
    statusCodes,
  };
}

/**
 * Subject and baseline take turns (after a second's warm-up each), `rounds` times, splitting `seconds`
 * between the rounds, so a change in the machine's load hits both sides alike.
 */
export async function alternate(subject: Parameters<typeof load>[0], baseline: Parameters<typeof load>[0], rounds: number): Promise<{ subject: LoadResult; baseline: LoadResult }> {
  await load({ ...subject, seconds: 1 });
  await load({ ...baseline, seconds: 1 });
  const s: LoadResult[] = [];
  const b: LoadResult[] = [];
  for (let i = 0; i < rounds; i += 1) {
    s.push(await load({ ...subject, seconds: subject.seconds / rounds }));
    b.push(await load({ ...baseline, seconds: baseline.seconds / rounds }));
  }
  return { subject: combine(s), baseline: combine(b) };
}
