/**
 * The Groq client and one structured call: JSON out, parsed by a zod schema, every failure sorted
 * by what the caller should do next. Shared by the worker's activities and the API.
 */
import Groq, { APIConnectionTimeoutError, APIError } from 'groq-sdk';
import type { z } from 'zod';
import { cleanText } from '../../domain/text.js';

export interface AiCallRecord {
  model: string | null;
  latencyMs: number;
  promptTokens?: number;
  completionTokens?: number;
  prompt?: string;
  output?: string;
  error?: string;
}

/** The part of the SDK these calls use, so tests and callers can hand in any client of that shape. */
export type ChatClient = Pick<Groq, 'chat'>;

export interface GroqSettings {
  GROQ_API_KEY?: string | undefined;
  GROQ_BASE_URL?: string | undefined;
  GROQ_TIMEOUT_MS: number;
}

/** No key, no client: every use then takes its deterministic path. */
export function createGroqClient(settings: GroqSettings): Groq | undefined {
  if (!settings.GROQ_API_KEY) return undefined;
  return new Groq({
    apiKey: settings.GROQ_API_KEY,
    // null, not undefined: the SDK would otherwise read process.env itself.
    baseURL: settings.GROQ_BASE_URL ?? null,
    timeout: settings.GROQ_TIMEOUT_MS,
    // Retries belong to the caller: Temporal's policy in activities, one bounded retry on 429 in the API.
    maxRetries: 0,
    logLevel: 'off',
  });
}

export interface Prompt {
  /** Instructions only. */
  system: string;
  /** Data only: a JSON document holding every piece of user text. */
  user: string;
}

export type AiFailureKind = 'rate_limited' | 'rejected' | 'unavailable' | 'timeout' | 'invalid_output';

export class AiCallError extends Error {
  constructor(
    readonly kind: AiFailureKind,
    message: string,
    readonly record: AiCallRecord,
    /** From the server's retry-after headers, on a 429. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AiCallError';
  }
}

export interface AskOptions<T> {
  model: string;
  prompt: Prompt;
  schema: z.ZodType<T>;
  maxTokens?: number;
  /** Per call; the client's own timeout applies otherwise. */
  timeoutMs?: number;
}

/** Recorded prompts and outputs are capped so a timeline event stays small. */
const RECORD_CHARS = 4000;
/** Recorded text lands in the timeline (Postgres): what the model sent is cleaned of characters Postgres refuses. */
const clip = (raw: string) => {
  const s = cleanText(raw);
  return s.length > RECORD_CHARS ? `${s.slice(0, RECORD_CHARS)}…` : s;
};

export async function askModel<T>(client: ChatClient, options: AskOptions<T>): Promise<{ value: T; record: AiCallRecord }> {
  const started = performance.now();
  const record: AiCallRecord = { model: options.model, latencyMs: 0, prompt: clip(`${options.prompt.system}\n\n${options.prompt.user}`) };
  let completion: Groq.Chat.ChatCompletion;
  try {
    completion = await client.chat.completions.create({
      model: options.model,
      messages: [
        { role: 'system', content: options.prompt.system },
        { role: 'user', content: options.prompt.user },
      ],
      response_format: { type: 'json_object' },
      temperature: 0.2,
      max_completion_tokens: options.maxTokens ?? 600,
    }, options.timeoutMs ? { timeout: options.timeoutMs } : undefined);
  } catch (err) {
    record.latencyMs = Math.round(performance.now() - started);
    throw classify(err, record);
  }
  record.latencyMs = Math.round(performance.now() - started);
  if (completion.usage) {
    record.promptTokens = completion.usage.prompt_tokens;
    record.completionTokens = completion.usage.completion_tokens;
  }
  const choice = completion.choices?.[0];
  const content = choice?.message?.content ?? '';
  record.output = clip(content);
  if (choice?.finish_reason === 'length') throw new AiCallError('invalid_output', 'the answer was cut off at the token limit', record);
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new AiCallError('invalid_output', 'the answer is not JSON', record);
  }
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    throw new AiCallError('invalid_output', `the answer does not fit the expected shape (${where}${first?.message ?? 'invalid'})`, record);
  }
  return { value: parsed.data, record };
}

function classify(err: unknown, record: AiCallRecord): AiCallError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof APIConnectionTimeoutError) return new AiCallError('timeout', 'the model did not answer in time', record);
  if (err instanceof APIError && err.status === 429) {
    return new AiCallError('rate_limited', `rate limited: ${message}`, record, retryAfterMs(err.headers));
  }
  if (err instanceof APIError && err.status !== undefined && err.status >= 400 && err.status < 500) {
    return new AiCallError('rejected', `request rejected: ${message}`, record);
  }
  return new AiCallError('unavailable', `model unavailable: ${message}`, record);
}

/** `retry-after-ms`, then `retry-after` as seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
