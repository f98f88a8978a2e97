import { z } from 'zod';
import { ValidationError, type FieldProblem } from './errors.js';

/** Parses a body or query with a zod schema: the typed value, or a 400 naming each field problem. */
export function parseInput(where: 'body' | 'query', schema: z.ZodType, input: unknown): unknown {
  const parsed = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, where);
  return parsed.data;
}

/** For actions that take no body: anything sent must be empty, so stray fields are refused, not ignored. */
export const noBodySchema = z.strictObject({});

/** `application/json`, with or without parameters, in any case: what the JSON parser reads (type-is, without its parsing on every request). */
export const isJson = (contentType: string): boolean => contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

/** How far a device clock may run ahead, and how old an offline tap may be when it finally arrives. */
const CLIENT_TIME_WINDOW = { aheadMs: 60_000, behindMs: 24 * 3600_000 } as const;

/**
 * The problem with a time a device reports, if it lies outside the window around now. `maxAgeMs` is
 * Infinity where old times are harmless (location history never moves a driver's latest position back).
 */
export function clientTimeProblem(at: string, path: string, now = Date.now(), maxAgeMs: number = CLIENT_TIME_WINDOW.behindMs): FieldProblem | null {
  const t = Date.parse(at);
  if (t > now + CLIENT_TIME_WINDOW.aheadMs) return { path, message: 'lies more than a minute in the future' };
  if (t < now - maxAgeMs) return { path, message: 'is older than 24 hours' };
  return null;
}

export function assertClientTimes(problems: Array<FieldProblem | null>): void {
  const found = problems.filter((p): p is FieldProblem => p !== null);
  if (found.length) throw new ValidationError(found);
}
