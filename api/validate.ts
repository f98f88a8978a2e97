import type { Middleware } from 'koa';
import type { z } from 'zod';
import { ValidationError } from './errors.js';
import type { AppState } from './types.js';

/** Parses the body or query with a zod schema and puts the typed value on `ctx.state`. */
export function validate(where: 'body' | 'query', schema: z.ZodType): Middleware<AppState> {
  return async (ctx, next) => {
    const input = where === 'body' ? (ctx.request as unknown as { body?: unknown }).body : { ...ctx.query };
    const parsed = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, where);
    ctx.state[where] = parsed.data;
    await next();
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);
