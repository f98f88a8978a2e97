/** Time windows a customer books (pickup and drop-off): what makes one acceptable, and when dispatch starts. */
import type { TimeWindow } from './delivery.js';

/** A window may be booked up to this far ahead. */
export const MAX_WINDOW_AHEAD_MS = 14 * 24 * 3600_000;

export interface WindowProblem {
  path: string;
  message: string;
}

/** Field problems of a booking's windows at `now` (epoch ms); empty when they are acceptable. */
export function windowProblems(body: { pickupWindow?: TimeWindow; dropoffWindow?: TimeWindow }, now: number): WindowProblem[] {
  const problems: WindowProblem[] = [];
  for (const key of ['pickupWindow', 'dropoffWindow'] as const) {
    const w = body[key];
    if (!w) continue;
    const from = Date.parse(w.from);
    const to = Date.parse(w.to);
    if (!(from < to)) problems.push({ path: `body.${key}.to`, message: 'must be after from' });
    else if (to <= now) problems.push({ path: `body.${key}.to`, message: 'must be in the future' });
    else if (to > now + MAX_WINDOW_AHEAD_MS) problems.push({ path: `body.${key}.to`, message: 'at most 14 days ahead' });
  }
  const { pickupWindow, dropoffWindow } = body;
  if (pickupWindow && dropoffWindow && Date.parse(dropoffWindow.to) <= Date.parse(pickupWindow.from)) {
    problems.push({ path: 'body.dropoffWindow.to', message: 'must end after the pickup window starts' });
  }
  return problems;
}

/** When a delivery with this pickup window starts looking for a driver; null: at once. */
export function dispatchAtFor(pickupWindow: TimeWindow | undefined | null, leadMs: number): string | null {
  if (!pickupWindow) return null;
  return new Date(Date.parse(pickupWindow.from) - leadMs).toISOString();
}

/** Normalised to UTC ISO strings, so the workflow, the read model and the search attributes agree. */
export function normalizeWindow(w: TimeWindow | undefined): TimeWindow | undefined {
  return w ? { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() } : undefined;
}
