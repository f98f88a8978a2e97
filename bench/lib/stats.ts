/** Percentiles (nearest rank) and small summaries of latency samples, in milliseconds. */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Named series of samples, e.g. one per API call. */
export class Samples {
  private readonly series = new Map<string, number[]>();

  add(name: string, value: number): void {
    let list = this.series.get(name);
    if (!list) this.series.set(name, (list = []));
    list.push(value);
  }

  summaries(): Record<string, Summary> {
    return Object.fromEntries([...this.series].map(([name, values]) => [name, summarize(values)]));
  }
}

/** Times one async call into `samples` under `name`. */
export async function timed<T>(samples: Samples, name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    samples.add(name, performance.now() - started);
  }
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
