/** AI-assisted steps of the workflow. Each has a deterministic fallback and records what it did. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Priority } from '../domain/pricing.js';
import type { RankedCandidate } from '../domain/scoring.js';
import type { AiCallRecord, ChatClient } from '../adapters/ai/groq.js';
import type { AiMetrics } from '../adapters/ai/metrics.js';
import { delayMessageAnswerSchema, delayMessagePrompt, formatClock, rankAnswerSchema, rankPrompt } from '../adapters/ai/prompts.js';
import { askOrFallBack, type RateLimitPolicy } from '../adapters/ai/run.js';

export type { AiCallRecord } from '../adapters/ai/groq.js';

export interface RankingResult {
  driverIds: string[];
  rationale: string;
  source: 'groq' | 'fallback';
  record: AiCallRecord;
}

export interface DelayMessageResult {
  message: string;
  source: 'groq' | 'fallback';
  record: AiCallRecord;
}

export interface RankInput {
  deliveryId: string;
  priority: Priority;
  weightKg: number;
  candidates: RankedCandidate[];
}

export interface DelayMessageInput {
  deliveryId: string;
  trackingCode: string;
  recipientName: string | null;
  eta: string | null;
  promisedBy: string;
}

export interface AiActivityDeps {
  /** Absent without GROQ_API_KEY: every step then uses its fallback. */
  groq?: ChatClient | undefined;
  model: string;
  timeoutMs?: number | undefined;
  metrics?: AiMetrics | undefined;
  /** A 429 asking for a longer wait than this is not worth holding a dispatch for. */
  maxRetryAfterMs?: number;
}

export function fallbackDelayMessage(input: DelayMessageInput): string {
  const greeting = input.recipientName ? `Hello ${input.recipientName.split(/\s+/)[0]}, ` : 'Hello, ';
  const eta = input.eta ? ` It should now arrive around ${formatClock(input.eta)}.` : '';
  return `${greeting}we are sorry: your delivery ${input.trackingCode} is running late.${eta} Thank you for your patience.`;
}

const DEFAULT_RETRY_AFTER_MS = 1000;

/** True on the last attempt the retry policy allows; outside an activity (tests) there is always another. */
function onLastAttempt(): boolean {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return false;
  }
  const max = info.retryPolicy?.maximumAttempts;
  return max !== undefined && max > 0 && info.attempt >= max;
}

/** A 429 says exactly when to come back: Temporal waits that long, unless it is too long or attempts are spent. */
function temporalRetryOn429(maxRetryAfterMs: number): RateLimitPolicy {
  return (err) => {
    const delay = err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    if (delay > maxRetryAfterMs || onLastAttempt()) return false;
    throw ApplicationFailure.create({ type: 'AI_RATE_LIMITED', message: err.message, nextRetryDelay: Math.max(delay, 100) });
  };
}

/*
 * Failure policy: a 429 is retried by Temporal after the server's delay (above); everything else — a
 * 5xx, a timeout, another 4xx, an answer that does not parse — returns the fallback at once with the
 * error recorded, because the fallback is already a good answer and a fleet would rather offer the job
 * or text the customer now than wait through more attempts at a service that just failed.
 */
export function createAiActivities(deps: AiActivityDeps = { model: 'none' }) {
  const access = { client: deps.groq, model: deps.model, timeoutMs: deps.timeoutMs, metrics: deps.metrics };
  const on429 = temporalRetryOn429(deps.maxRetryAfterMs ?? 20_000);

  return {
    async rankCandidatesWithAi(input: RankInput): Promise<RankingResult> {
      const scored = input.candidates.map((c) => c.driverId);
      const answer = await askOrFallBack(
        access,
        'dispatch',
        { prompt: rankPrompt(input), schema: rankAnswerSchema(scored), maxTokens: 400 },
        on429,
      );
      if (answer.source === 'fallback') {
        const why = answer.reason === 'no_key' ? 'no model configured' : `model answer not used: ${answer.reason}`;
        return { driverIds: scored, rationale: `scored order (${why})`, source: 'fallback', record: answer.record };
      }
      // The model may leave candidates out; they still get their offer, in scored order, after its picks.
      const picked = answer.value.order;
      const driverIds = [...picked, ...scored.filter((id) => !picked.includes(id))];
      return { driverIds, rationale: answer.value.rationale, source: 'groq', record: answer.record };
    },

    async composeDelayMessage(input: DelayMessageInput): Promise<DelayMessageResult> {
      const answer = await askOrFallBack(
        access,
        'delay_message',
        { prompt: delayMessagePrompt(input), schema: delayMessageAnswerSchema(input.eta), maxTokens: 200 },
        on429,
      );
      return answer.source === 'groq'
        ? { message: answer.value.message, source: 'groq', record: answer.record }
        : { message: fallbackDelayMessage(input), source: 'fallback', record: answer.record };
    },
  };
}
