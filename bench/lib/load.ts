/** autocannon runs reduced to what the figures report. */
import autocannon, { type Client, type Result } from 'autocannon';
import { cpuSeconds } from './processes.js';

export interface LoadResult {
  /** 2xx answers per second over the run. */
  perSecond: number;
  seconds: number;
  /** CPU the server process spent per answer, in µs (when its pid is known): steadier than rates on a busy machine. */
  cpuMicros?: number;
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
  /** The server's process, to charge its CPU time to the requests. */
  pid?: number;
  seconds: number;
  connections: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  setupClient?: (client: Client) => void;
}): Promise<LoadResult> {
  const cpuBefore = options.pid ? await cpuSeconds(options.pid) : 0;
  const result = await autocannon({
    url: options.url,
    duration: options.seconds,
    connections: options.connections,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    setupClient: options.setupClient,
  });
  const summary = summarizeLoad(result);
  if (options.pid) summary.cpuMicros = ((await cpuSeconds(options.pid)) - cpuBefore) * 1e6 / Math.max(1, summary.ok + summary.failed);
  return summary;
}

/** Rounds of one side added up: the rate over all of them, the median's mean and the worst p99. */
export function combine(rounds: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    perSecond: sum((r) => r.ok) / sum((r) => r.seconds),
    seconds: sum((r) => r.seconds),
    ...(rounds.every((r) => r.cpuMicros !== undefined) ? { cpuMicros: sum((r) => r.cpuMicros! * (r.ok + r.failed)) / sum((r) => r.ok + r.failed) } : {}),
    p50: sum((r) => r.p50) / rounds.length,
    p99: Math.max(...rounds.map((r) => r.p99)),
    ok: sum((r) => r.ok),
    failed: sum((r) => r.failed),
    statusCodes,
  };
}

/**
 * The runs take turns (after a second's warm-up each), `rounds` times, splitting `seconds` between the
 * rounds, so a change in the machine's load hits them all alike. Results in the order given.
 */
export async function alternate(runs: Array<Parameters<typeof load>[0]>, rounds: number): Promise<LoadResult[]> {
  for (const run of runs) await load({ ...run, seconds: 1 });
  const results: LoadResult[][] = runs.map(() => []);
  for (let i = 0; i < rounds; i += 1) {
    for (const [n, run] of runs.entries()) results[n]!.push(await load({ ...run, seconds: run.seconds / rounds }));
  }
  return results.map(combine);
}
