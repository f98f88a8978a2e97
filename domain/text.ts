/**
 * Text that may reach Postgres, Temporal history or a page. Postgres refuses NUL in text and jsonb, and a
 * refused write inside a workflow's activity would be retried forever: such text is refused at the edge.
 */
import { z } from 'zod';

/** C0 controls but tab and newline, DEL, and the C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string may not be stored or shown, or null when it may. */
export function unsafeTextProblem(s: string): string | null {
  if (CONTROL.test(s)) return 'contains a control character (only newline and tab are allowed)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone surrogate (not valid Unicode)';
  return null;
}

/** Copies a string with every refused character replaced, for text from outside that must be kept (AI output). */
export function cleanText(s: string): string {
  return s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD').replace(new RegExp(CONTROL.source, 'g'), ' ');
}

const refineSafe = (s: z.ZodString): z.ZodString =>
  s.superRefine((value, ctx) => {
    const problem = unsafeTextProblem(value);
    // Fatal: a refused character is the one problem worth naming, not the length it also breaks.
    if (problem) ctx.addIssue({ code: 'custom', message: problem, fatal: true });
  });

/**
 * The one building block for free text in requests: no control characters but newline and tab, no lone
 * surrogates (checked as sent, before trimming, so a trailing CR is refused rather than quietly cut),
 * then trimmed, at least `min` and at most `max` characters. Every request schema uses it.
 */
export function safeText(max: number, min = 0): z.ZodString {
  let s = refineSafe(z.string()).trim();
  if (min > 0) s = s.min(min);
  return s.max(max);
}

/** Like `safeText` but kept exactly as sent (secrets, tokens, codes). */
export function safeRawText(max: number, min = 0): z.ZodString {
  let s = refineSafe(z.string());
  if (min > 0) s = s.min(min);
  return s.max(max);
}
