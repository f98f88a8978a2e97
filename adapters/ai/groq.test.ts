import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './groq.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'Tue, 01 Jan 2030 12:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Tue, 01 Jan 2030 11:59:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %j as %s ms', (headers, expected) => {
    expect(retryAfterMs(new Headers(headers as Record<string, string>), now)).toBe(expected);
  });
});
