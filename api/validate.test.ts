import { describe, expect, it } from 'vitest';
import { clientTimeProblem, isUuid } from './validate.js';

describe('clientTimeProblem', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

  it('accepts times from a day ago up to a minute ahead', () => {
    for (const offset of [-24 * 3600_000 + 1000, -60_000, 0, 59_000]) expect(clientTimeProblem(at(offset), 'body.at', now)).toBeNull();
  });

  it('names the field for a time too far ahead or too old', () => {
    expect(clientTimeProblem(at(61_000), 'body.at', now)).toEqual({ path: 'body.at', message: 'lies more than a minute in the future' });
    expect(clientTimeProblem(at(-24 * 3600_000 - 1000), 'body.at', now)).toEqual({ path: 'body.at', message: 'is older than 24 hours' });
  });

  it('reads offsets, and lets callers accept any age', () => {
    expect(clientTimeProblem('2026-05-01T14:00:30+02:00', 'x', now)).toBeNull();
    expect(clientTimeProblem(at(-30 * 24 * 3600_000), 'x', now, Infinity)).toBeNull();
  });
});

describe('isUuid', () => {
  it('accepts only the canonical form', () => {
    expect(isUuid('7f1c2b1e-8a4b-4c3d-9e2f-0123456789ab')).toBe(true);
    for (const s of ['', '7f1c2b1e8a4b4c3d9e2f0123456789ab', "7f1c2b1e-8a4b-4c3d-9e2f-0123456789ab' OR 1=1", '../etc']) expect(isUuid(s)).toBe(false);
  });
});
