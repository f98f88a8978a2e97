/** AI-assisted steps of the workflow. Each has a deterministic fallback and records what it did. */
import type { Priority } from '../domain/pricing.js';
import type { RankedCandidate } from '../domain/scoring.js';

export interface AiCallRecord {
  model: string | null;
  latencyMs: number;
  promptTokens?: number;
  completionTokens?: number;
  prompt?: string;
  output?: string;
  error?: string;
}

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

export function fallbackDelayMessage(input: DelayMessageInput): string {
  const greeting = input.recipientName ? `Hello ${input.recipientName.split(/\s+/)[0]}, ` : 'Hello, ';
  const eta = input.eta ? ` It should now arrive around ${new Date(input.eta).toUTCString().slice(17, 22)} UTC.` : '';
  return `${greeting}we are sorry: your delivery ${input.trackingCode} is running late.${eta} Thank you for your patience.`;
}

export function createAiActivities() {
  return {
    async rankCandidatesWithAi(input: RankInput): Promise<RankingResult> {
      return {
        driverIds: input.candidates.map((c) => c.driverId),
        rationale: 'scored order (no model configured)',
        source: 'fallback',
        record: { model: null, latencyMs: 0 },
      };
    },
    async composeDelayMessage(input: DelayMessageInput): Promise<DelayMessageResult> {
      return { message: fallbackDelayMessage(input), source: 'fallback', record: { model: null, latencyMs: 0 } };
    },
  };
}
