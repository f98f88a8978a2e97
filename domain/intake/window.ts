/**
 * A time window: "between 9 and 11", "9-11am", "from 14:00 to 16:00", on a day ("tomorrow",
 * "Friday") or the next time it comes round. Read before the deadline rule, which would take the
 * clock times for a deadline. Read in the UTC offset of `now`; hours 1–7 without am/pm are afternoon,
 * as a courier means them.
 */
import type { TimeWindow } from '../delivery.js';
import type { Instant } from '../time.js';
import { readDayStart, localDayStart } from './deadline.js';
import { rewrite, SEP, wordPattern, type Scan } from './scan.js';

const MS_PER_MINUTE = 60_000;
const TIME = '(\\d{1,2})(?:[:.](\\d{2}))?\\s*(a\\.?m\\.?|p\\.?m\\.?)?';
const RANGE = `(?:between|from)?\\s*${TIME}\\s*(?:and|to|until|till|-|–)\\s*${TIME}`;

export function readWindow(scan: Scan, now: Instant): TimeWindow | undefined {
  let range: { from: number; to: number } | undefined;
  rewrite(scan, wordPattern(RANGE), (m) => {
    if (range) return null;
    // "9-11am": the second half's am/pm holds for the first too.
    const to = minutesOf(m[4], m[5], m[6]);
    const from = minutesOf(m[1], m[2], m[3] ?? m[6]);
    if (from === undefined || to === undefined || from >= to) return null;
    // A bare "5-10" without a word around it is more likely a weight or a count than a time.
    if (!/between|from|:|m\.?$/i.test(m[0].trim()) && !/[ap]\.?m/i.test(m[0])) return null;
    range = { from, to };
    return SEP;
  });
  if (!range) return undefined;
  const day = readDayStart(scan, now);
  let start = day ?? localDayStart(now, 0);
  if (day === undefined && start + range.to * MS_PER_MINUTE <= now.epochMs) start = localDayStart(now, 1);
  return {
    from: new Date(start + range.from * MS_PER_MINUTE).toISOString(),
    to: new Date(start + range.to * MS_PER_MINUTE).toISOString(),
  };
}

function minutesOf(h: string | undefined, m: string | undefined, ampm: string | undefined): number | undefined {
  let hour = Number(h);
  const minute = Number(m ?? 0);
  if (ampm) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (ampm.toLowerCase().startsWith('p') ? 12 : 0);
  } else if (hour >= 1 && hour <= 7) {
    hour += 12;
  }
  return hour <= 23 && minute <= 59 ? hour * 60 + minute : undefined;
}
