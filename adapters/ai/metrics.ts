/** Prometheus metrics of AI calls, by use, source of the answer and outcome. */
import { Counter, Histogram, Registry } from 'prom-client';

export type AiUse = 'intake' | 'dispatch' | 'delay_message' | 'assistant';
export type AiSource = 'groq' | 'fallback';
/** `ok`, `no_key`, or the failure kind of the model call. */
export type AiOutcome = 'ok' | 'no_key' | 'rate_limited' | 'rejected' | 'unavailable' | 'timeout' | 'invalid_output';

export interface AiMetrics {
  registry: Registry;
  observe(use: AiUse, source: AiSource, outcome: AiOutcome, latencyMs?: number): void;
}

/** Without a registry the metrics live in a private one, so several instances never collide. */
export function createAiMetrics(registry: Registry = new Registry()): AiMetrics {
  const calls = new Counter({
    name: 'ai_calls_total',
    help: 'AI uses by use, source of the answer (groq or fallback) and outcome of the model call',
    labelNames: ['use', 'source', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ai_call_duration_seconds',
    help: 'Duration of model calls by use and outcome',
    labelNames: ['use', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
    registers: [registry],
  });
  return {
    registry,
    observe(use, source, outcome, latencyMs) {
      calls.inc({ use, source, outcome });
      if (latencyMs !== undefined && outcome !== 'no_key') duration.observe({ use, outcome }, latencyMs / 1000);
    },
  };
}
