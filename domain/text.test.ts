import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cleanText, safeText, unsafeTextProblem } from './text.js';

describe('safe text', () => {
  it('refuses NUL, other controls and lone surrogates, and keeps newline, tab, RTL marks and emoji', () => {
    for (const bad of ['a\u0000b', 'a\u0007', '\r', '\u007F', '\u0085', 'x\uD800', '\uDC00y', '\uDFFF\uD800']) expect(unsafeTextProblem(bad), JSON.stringify(bad)).not.toBe(null);
    for (const good of ['line\nnext\tcell', '\u200Fשלום\u200E', '📦🚚', 'Müller-Straße 5', '\uD83D\uDE9A']) expect(unsafeTextProblem(good), good).toBe(null);
  });

  it('names the field in the schema error and keeps the length bounds', () => {
    const schema = z.strictObject({ name: safeText(5, 1) });
    const nul = schema.safeParse({ name: 'a\u0000' });
    expect(nul.success).toBe(false);
    expect(nul.error!.issues[0]!.path).toEqual(['name']);
    expect(schema.safeParse({ name: '  ab  ' }).data).toEqual({ name: 'ab' });
    expect(schema.safeParse({ name: 'x'.repeat(6) }).success).toBe(false);
    expect(schema.safeParse({ name: '   ' }).success).toBe(false);
  });

  it('cleans text from outside that must be kept', () => {
    expect(cleanText('a\u0000b\uD800c\n')).toBe('a b\uFFFDc\n');
    expect(unsafeTextProblem(cleanText('\u0001\uDC00\u009F'))).toBe(null);
  });
});
