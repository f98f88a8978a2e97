import { describe, expect, it } from 'vitest';
import { acceptQuoteTarget } from './status.js';
import { dispatchAtFor, windowProblems } from './windows.js';

const NOW = Date.parse('2026-03-02T08:00:00Z');
const at = (hours: number) => new Date(NOW + hours * 3600_000).toISOString();

describe('time windows', () => {
  it('accepts a window in the future with from before to', () => {
    expect(windowProblems({ pickupWindow: { from: at(1), to: at(3) }, dropoffWindow: { from: at(2), to: at(6) } }, NOW)).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(windowProblems({ pickupWindow: { from: at(3), to: at(1) } }, NOW)).toEqual([{ path: 'body.pickupWindow.to', message: 'must be after from' }]);
    expect(windowProblems({ pickupWindow: { from: at(-3), to: at(-1) } }, NOW)[0]?.message).toBe('must be in the future');
    expect(windowProblems({ dropoffWindow: { from: at(24 * 14), to: at(24 * 14 + 1) } }, NOW)[0]?.message).toBe('at most 14 days ahead');
    expect(windowProblems({ pickupWindow: { from: at(5), to: at(6) }, dropoffWindow: { from: at(1), to: at(4) } }, NOW)).toEqual([
      { path: 'body.dropoffWindow.to', message: 'must end after the pickup window starts' },
    ]);
  });

  it('dispatches a lead before the pickup window, and schedules only while that is ahead', () => {
    const dispatchAt = dispatchAtFor({ from: at(2), to: at(3) }, 30 * 60_000);
    expect(dispatchAt).toBe(at(1.5));
    expect(acceptQuoteTarget(dispatchAt, NOW)).toBe('SCHEDULED');
    expect(acceptQuoteTarget(dispatchAt, NOW + 2 * 3600_000)).toBe('DISPATCHING');
    expect(acceptQuoteTarget(null, NOW)).toBe('DISPATCHING');
  });
});
