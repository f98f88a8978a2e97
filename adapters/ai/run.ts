/** One AI use: the model's answer when there is a key and it answers well, otherwise a labelled fallback. */
import type { z } from 'zod';
import { cleanText } from '../../domain/text.js';
import { AiCallError, askModel, type AiCallRecord, type ChatClient, type Prompt } from './groq.js';
import type { AiMetrics, AiOutcome, AiUse } from './metrics.js';

export interface ModelAccess {
  /** Absent when no GROQ_API_KEY is configured. */
  client?: ChatClient | undefined;
  model: string;
  timeoutMs?: number | undefined;
  metrics?: AiMetrics | undefined;
}

export type AiAnswer<T> =
  | { source: 'groq'; value: T; record: AiCallRecord }
  | { source: 'fallback'; reason: Exclude<AiOutcome, 'ok'>; record: AiCallRecord };

/**
 * What a 429 means to the caller, given how many calls were made so far: `true` waits were done and
 * asks again here, `false` falls back; throwing hands the retry to someone else (Temporal).
 */
export type RateLimitPolicy = (err: AiCallError, attempt: number) => boolean | Promise<boolean>;

export async function askOrFallBack<T>(
  access: ModelAccess,
  use: AiUse,
  request: { prompt: Prompt; schema: z.ZodType<T>; maxTokens?: number },
  onRateLimited: RateLimitPolicy,
): Promise<AiAnswer<T>> {
  const { client, model, metrics, timeoutMs } = access;
  if (!client) {
    metrics?.observe(use, 'fallback', 'no_key');
    return { source: 'fallback', reason: 'no_key', record: { model: null, latencyMs: 0 } };
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await askModel(client, { model, timeoutMs, ...request });
      metrics?.observe(use, 'groq', 'ok', answer.record.latencyMs);
      return { source: 'groq', ...answer };
    } catch (err) {
      if (!(err instanceof AiCallError)) throw err;
      if (err.kind === 'rate_limited') {
        // Counted as a groq call that will be asked again, whoever does the asking.
        let again: boolean;
        try {
          again = await onRateLimited(err, attempt);
        } catch (handedOff) {
          metrics?.observe(use, 'groq', 'rate_limited', err.record.latencyMs);
          throw handedOff;
        }
        if (again) {
          metrics?.observe(use, 'groq', 'rate_limited', err.record.latencyMs);
          continue;
        }
      }
      metrics?.observe(use, 'fallback', err.kind, err.record.latencyMs);
      return { source: 'fallback', reason: err.kind, record: { ...err.record, error: cleanText(err.message) } };
    }
  }
}
