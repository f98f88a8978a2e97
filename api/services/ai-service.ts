/** The API's AI uses: order intake and the dispatcher assistant, each with its rule-based fallback. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createGroqClient } from '../../adapters/ai/groq.js';
import { createAiMetrics, type AiUse } from '../../adapters/ai/metrics.js';
import { assistantAnswerSchema, assistantPrompt, intakeAnswerSchema, intakePrompt } from '../../adapters/ai/prompts.js';
import { askOrFallBack, type AiAnswer, type ModelAccess, type RateLimitPolicy } from '../../adapters/ai/run.js';
import type { Config } from '../../config/env.js';
import {
  parseDeliveryRequest,
  REQUIRED_DRAFT_FIELDS,
  type DraftDelivery,
  type DraftStop,
  type KnownAddress,
} from '../../domain/intake.js';
import type { AuthUser } from '../types.js';
import type { PlacesService } from './places-service.js';
import { answerFromSnapshot } from './assistant-fallback.js';
import type { OperationsSnapshot } from '../../db/operations-snapshot.js';
import type { PlaceStore } from '../../db/places.js';

export interface AiServiceDeps {
  /** Live operations, for the assistant. */
  snapshot: (now: Date) => Promise<OperationsSnapshot>;
  /** The stops of a customer's past deliveries, for intake. */
  stops: Pick<PlaceStore, 'recentStops'>;
  access: ModelAccess;
  logger: Logger;
  /** A person is waiting on the answer: a 429 asking for longer than this falls back at once. */
  maxRetryAfterMs?: number;
  now?: () => Date;
  /** Places the addresses the draft names: saved, recent, the geocoder's or the sample places. */
  places?: Pick<PlacesService, 'search'>;
}

/**
 * How a drafted stop was placed: coordinates from the text or a known place (`given`), the one match
 * address search found (`located`), several candidates for the customer to choose from (`confirm`),
 * or none (`not_found`).
 */
export type StopResolution = 'given' | 'located' | 'confirm' | 'not_found';

export type Source = 'groq' | 'fallback';

export interface IntakeReply {
  draft: DraftDelivery;
  missing: string[];
  source: Source;
  addresses?: { pickup?: StopResolution; dropoff?: StopResolution };
}

export interface AssistantReply {
  answer: string;
  source: Source;
  snapshot: OperationsSnapshot;
}

/** Saved places beyond this many are rarely the ones a request means, and they all go into the prompt. */
const KNOWN_ADDRESS_LIMIT = 20;
/** A model may only repeat coordinates it was given; this tolerance absorbs rounding. */
const SAME_POINT_DEG = 1e-5;

export class AiService {
  private readonly now: () => Date;
  private readonly on429: RateLimitPolicy;

  constructor(private readonly deps: AiServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    const maxWait = deps.maxRetryAfterMs ?? 5000;
    // One more try after the server's delay when it is short; otherwise the fallback answers now.
    this.on429 = async (err, attempt) => {
      const wait = err.retryAfterMs ?? 1000;
      if (attempt > 1 || wait > maxWait) return false;
      await new Promise((r) => setTimeout(r, wait));
      return true;
    };
  }

  async intake(user: AuthUser, text: string, utcOffset = 'Z'): Promise<IntakeReply> {
    const now = isoWithOffset(this.now(), utcOffset);
    const knownAddresses = await this.knownAddressesOf(user);
    const rules = parseDeliveryRequest(text, { now, knownAddresses });
    const answer = await askOrFallBack(
      this.deps.access,
      'intake',
      { prompt: intakePrompt({ text, now, knownAddresses }), schema: intakeAnswerSchema, maxTokens: 600 },
      this.on429,
    );
    this.log('intake', user, answer);
    if (answer.source === 'fallback') return this.placeStops(user, { ...rules, source: 'fallback' });
    const allowed = [...knownAddresses, ...[rules.draft.pickup, rules.draft.dropoff].filter((s) => s?.lat !== undefined)] as { lat: number; lng: number }[];
    const draft: DraftDelivery = { priority: 'standard', ...answer.value.draft };
    if (draft.pickup) draft.pickup = onlyGivenCoordinates(draft.pickup, allowed);
    if (draft.dropoff) draft.dropoff = onlyGivenCoordinates(draft.dropoff, allowed);
    return this.placeStops(user, { draft, missing: missingFields(draft), source: 'groq' });
  }

  /** Looks up the stops the draft names without coordinates; only an unambiguous match is filled in. */
  private async placeStops(user: AuthUser, reply: IntakeReply): Promise<IntakeReply> {
    const places = this.deps.places;
    if (!places) return reply;
    const draft: DraftDelivery = { ...reply.draft };
    const addresses: NonNullable<IntakeReply['addresses']> = {};
    for (const name of ['pickup', 'dropoff'] as const) {
      const stop = draft[name];
      if (!stop?.address) continue;
      if (stop.lat !== undefined && stop.lng !== undefined) {
        addresses[name] = 'given';
        continue;
      }
      const other = draft[name === 'pickup' ? 'dropoff' : 'pickup'];
      const near = other?.lat !== undefined && other.lng !== undefined ? { lat: other.lat, lng: other.lng } : undefined;
      const found = await places.search(user, stop.address, near).catch(() => ({ items: [] }));
      // One candidate is a match; two or more are the customer's to choose between. A sample place is
      // only ever offered: a parcel must not go to the demo city because its words happened to match.
      const only = found.items.length === 1 && found.items[0]!.source !== 'sample' ? found.items[0]! : undefined;
      if (only) {
        draft[name] = { ...stop, address: only.label, lat: only.lat, lng: only.lng, ...(only.contactName && !stop.contactName ? { contactName: only.contactName } : {}) };
        addresses[name] = 'located';
      } else addresses[name] = found.items.length ? 'confirm' : 'not_found';
    }
    return { ...reply, draft, missing: missingFields(draft), addresses };
  }

  async assist(user: AuthUser, question: string): Promise<AssistantReply> {
    const snapshot = await this.deps.snapshot(this.now());
    const answer = await askOrFallBack(
      this.deps.access,
      'assistant',
      { prompt: assistantPrompt({ question, snapshot }), schema: assistantAnswerSchema, maxTokens: 500 },
      this.on429,
    );
    this.log('assistant', user, answer);
    return answer.source === 'groq'
      ? { answer: answer.value.answer, source: 'groq', snapshot }
      : { answer: answerFromSnapshot(question, snapshot), source: 'fallback', snapshot };
  }

  /** The places this user sent from or to before, most recent first; named by address, first part and contact. */
  private async knownAddressesOf(user: AuthUser): Promise<KnownAddress[]> {
    const rows = await this.deps.stops.recentStops({ userId: user.id });
    const byLabel = new Map<string, KnownAddress>();
    const places = new Set<string>();
    for (const row of rows) {
      if (places.size >= KNOWN_ADDRESS_LIMIT && !places.has(row.address.toLowerCase())) continue;
      places.add(row.address.toLowerCase());
      const head = row.address.split(',')[0]?.trim();
      const labels = [row.address, ...(head && head !== row.address && !/\d/.test(head) ? [head] : []), ...(row.contactName ? [row.contactName] : [])];
      // The most recent place wins a label ("Maria" moved: her newest address is meant).
      for (const label of labels) {
        const key = label.toLowerCase();
        if (!byLabel.has(key)) byLabel.set(key, { label, address: row.address, lat: row.lat, lng: row.lng });
      }
    }
    return [...byLabel.values()];
  }

  private log(use: AiUse, user: AuthUser, answer: AiAnswer<unknown>): void {
    const { prompt, output, ...meta } = answer.record;
    this.deps.logger.info({ use, source: answer.source, userId: user.id, ...meta }, 'ai call');
    // Prompts and outputs hold what people typed: kept out of the default log level.
    this.deps.logger.debug({ use, prompt, output }, 'ai call content');
  }
}

function onlyGivenCoordinates(stop: DraftStop, allowed: readonly { lat: number; lng: number }[]): DraftStop {
  if (stop.lat === undefined && stop.lng === undefined) return stop;
  const given = allowed.some((p) => Math.abs(p.lat - (stop.lat ?? NaN)) < SAME_POINT_DEG && Math.abs(p.lng - (stop.lng ?? NaN)) < SAME_POINT_DEG);
  if (given) return stop;
  const { lat: _lat, lng: _lng, ...rest } = stop;
  return rest;
}

function missingFields(draft: DraftDelivery): string[] {
  const value = (path: string) => path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], draft);
  return REQUIRED_DRAFT_FIELDS.filter((field) => value(field) === undefined);
}

/** Now, written in the caller's UTC offset, so "5 pm" means their 5 pm. */
export function isoWithOffset(now: Date, utcOffset: string): string {
  if (utcOffset === 'Z') return now.toISOString();
  const sign = utcOffset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(utcOffset.slice(1, 3)) * 60 + Number(utcOffset.slice(4, 6)));
  return `${new Date(now.getTime() + minutes * 60_000).toISOString().slice(0, 23)}${utcOffset}`;
}

/** Built from config: no GROQ_API_KEY, no client, and both uses answer by rule. */
export function createAiService(
  deps: { config: Readonly<Config>; logger: Logger } & Pick<AiServiceDeps, 'snapshot' | 'stops' | 'places'>,
  registry: Registry,
): AiService {
  const access: ModelAccess = {
    client: createGroqClient(deps.config),
    model: deps.config.GROQ_MODEL,
    timeoutMs: deps.config.GROQ_TIMEOUT_MS,
    metrics: createAiMetrics(registry),
  };
  return new AiService({ snapshot: deps.snapshot, stops: deps.stops, logger: deps.logger, access, places: deps.places });
}
