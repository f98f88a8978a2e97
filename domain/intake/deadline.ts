/**
 * Deadline: relative ("in 2 hours"), clock ("5 pm", "17:30"), part of day ("tonight") and day
 * ("tomorrow", "Friday"). A time without a day means its next occurrence; a day without a time
 * means by the end of that day. With both a relative and an absolute deadline the earlier wins.
 */
import { parseIsoInstant, type Instant } from '../time.js';
import { consume, NUM, parseAmount, rewrite, SEP, wordPattern, type Scan } from './scan.js';

const MS_PER_MINUTE = 60_000;
const END_OF_DAY_MINUTES = 23 * 60 + 59;
const DEADLINE_LEAD = '(?:no later than|not later than|at the latest by|latest by|latest|before|by|until|till|til)\\s+';
const OTHER_LEAD = '(?:at|around|for|from|to|and|between|on|this|next|coming)\\s+';
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const PARTS_OF_DAY: Array<[RegExp, number]> = [
  [/morning/i, 12 * 60],
  [/afternoon/i, 17 * 60],
  [/end of|eod|close of business|cob/i, 18 * 60],
  [/evening|night/i, 21 * 60],
];

export function readDeadline(scan: Scan, now: Instant): string | undefined {
  const relative = readRelativeMinutes(scan);
  const clock = readClockMinutes(scan);
  const part = readPartOfDayMinutes(scan);
  const day = readDayStart(scan, now);

  const candidates: number[] = [];
  if (relative !== undefined) candidates.push(now.epochMs + relative * MS_PER_MINUTE);
  if (clock !== undefined || part !== undefined || day !== undefined) {
    const minutes = clock ?? part ?? END_OF_DAY_MINUTES;
    let at = (day ?? localDayStart(now, 0)) + minutes * MS_PER_MINUTE;
    if (day === undefined && at <= now.epochMs) at = localDayStart(now, 1) + minutes * MS_PER_MINUTE;
    candidates.push(at);
  }
  return candidates.length > 0 ? new Date(Math.min(...candidates)).toISOString() : undefined;
}

/** Epoch ms of local midnight `addDays` after the local date of `now`. */
export function localDayStart(now: Instant, addDays: number): number {
  const local = new Date(now.epochMs + now.offsetMinutes * MS_PER_MINUTE);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + addDays);
  return midnight - now.offsetMinutes * MS_PER_MINUTE;
}

const MAX_RELATIVE_MINUTES = 366 * 24 * 60;
const SMALL_NUMBERS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, 'half an': 0.5, 'half a': 0.5 };

function readRelativeMinutes(scan: Scan): number | undefined {
  let minutes: number | undefined;
  const amount = `${NUM}|half an?|an?|one|two|three|four|five|six`;
  const pattern = wordPattern(`(?:in|within)\\s+(${amount})\\s*(hours?|hrs?|h|minutes?|mins?)|within the hour`);
  consume(scan, pattern, (m) => {
    const [, count = 'one', unit = 'hour'] = m;
    const value = SMALL_NUMBERS[count.toLowerCase()] ?? parseAmount(count);
    const asMinutes = unit.toLowerCase().startsWith('h') ? value * 60 : value;
    if (!(asMinutes <= MAX_RELATIVE_MINUTES)) return false; // "in 10^20 hours" is not a deadline
    minutes ??= asMinutes;
  });
  return minutes;
}

const CLOCK = [
  '(?<h1>\\d{1,2})(?:[:.](?<m1>\\d{2}))?\\s*(?<ampm>a\\.?m\\.?|p\\.?m\\.?)',
  '(?<h2>\\d{1,2})[:h](?<m2>\\d{2})(?:\\s*(?:h|hrs|uhr))?',
  "(?<h3>\\d{1,2})\\s*(?:h|uhr|o'?clock)",
  '(?<named>noon|midday|midnight)',
].join('|');

/** The clock time after "before/by/until" if there is one (the deadline), otherwise the last one. */
function readClockMinutes(scan: Scan): number | undefined {
  let deadline: number | undefined;
  let last: number | undefined;
  const pattern = wordPattern(`(?:(?<deadlineLead>${DEADLINE_LEAD})|${OTHER_LEAD})?(?:${CLOCK})(?:\\s+at the latest)?`);
  rewrite(scan, pattern, (m) => {
    const minutes = clockMinutes(m.groups ?? {});
    if (minutes === undefined) return null;
    if (m.groups?.deadlineLead) deadline ??= minutes;
    last = minutes;
    return SEP;
  });
  return deadline ?? last;
}

function clockMinutes(g: Record<string, string | undefined>): number | undefined {
  if (g.named) return g.named.toLowerCase() === 'midnight' ? END_OF_DAY_MINUTES : 12 * 60;
  let hour = Number(g.h1 ?? g.h2 ?? g.h3);
  const minute = Number(g.m1 ?? g.m2 ?? 0);
  if (g.ampm) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = g.ampm.toLowerCase().startsWith('p');
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (g.h3 !== undefined && hour >= 1 && hour <= 7) {
    hour += 12; // "5 o'clock" is in the afternoon for a courier
  }
  return hour <= 23 && minute <= 59 ? hour * 60 + minute : undefined;
}

function readPartOfDayMinutes(scan: Scan): number | undefined {
  let minutes: number | undefined;
  const parts = 'morning|afternoon|evening|tonight|night|end of (?:the )?(?:business )?day|eod|close of business|cob';
  const pattern = wordPattern(`(?:${DEADLINE_LEAD}|${OTHER_LEAD})?(?:(?:the|in the)\\s+)?(${parts})`);
  consume(scan, pattern, (m) => {
    const word = m[1] ?? '';
    minutes ??= PARTS_OF_DAY.find(([re]) => re.test(word))?.[1];
  });
  return minutes;
}

export function readDayStart(scan: Scan, now: Instant): number | undefined {
  let start: number | undefined;
  const days = `(?:the\\s+)?day after tomorrow|tomorrow|tmrw|today|${WEEKDAYS.join('|')}|\\d{4}-\\d{2}-\\d{2}`;
  const pattern = wordPattern(`(?:${DEADLINE_LEAD}|${OTHER_LEAD})*(${days})`);
  rewrite(scan, pattern, (m) => {
    const found = dayStart((m[1] ?? '').toLowerCase(), now);
    if (found === undefined) return null;
    start ??= found;
    return SEP;
  });
  return start;
}

function dayStart(word: string, now: Instant): number | undefined {
  if (word.endsWith('day after tomorrow')) return localDayStart(now, 2);
  if (word === 'tomorrow' || word === 'tmrw') return localDayStart(now, 1);
  if (word === 'today') return localDayStart(now, 0);
  const weekday = WEEKDAYS.indexOf(word);
  if (weekday >= 0) {
    const today = new Date(now.epochMs + now.offsetMinutes * MS_PER_MINUTE).getUTCDay();
    // "Friday" said on a Friday means next week's: today would have been "today".
    return localDayStart(now, (weekday - today + 7) % 7 || 7);
  }
  try {
    return parseIsoInstant(`${word}T00:00:00Z`).epochMs - now.offsetMinutes * MS_PER_MINUTE;
  } catch {
    return undefined; // "2025-02-30" is not a day; the words stay in the text
  }
}
