/**
 * Rule-based reading of a free-text delivery request: the deterministic fallback for AI order
 * intake (DESIGN §7 (1)). Each rule reads one kind of fact and blanks out the words it used, so
 * what is left for the address rules is mostly addresses.
 */
import { z } from 'zod';
import { isValidLatLng, parseIsoInstant, type Instant, type LatLng } from './geo.js';
import { PRIORITIES, type Priority } from './pricing.js';

const draftStopSchema = z.object({
  address: z.string().trim().min(1).max(300),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
  contactName: z.string().trim().min(1).max(100).optional(),
});

/** A partial `POST /deliveries` body. Not strict: extra keys from a model's answer are dropped, not fatal. */
export const draftDeliverySchema = z.object({
  pickup: draftStopSchema.optional(),
  dropoff: draftStopSchema.optional(),
  parcel: z
    .object({
      weightKg: z.number().positive().optional(),
      description: z.string().trim().min(1).max(500).optional(),
      count: z.number().int().positive().optional(),
    })
    .optional(),
  priority: z.enum(PRIORITIES).optional(),
  notes: z.string().trim().min(1).max(1000).optional(),
  deadline: z.iso.datetime({ offset: true }).optional(),
});
export type DraftDelivery = z.infer<typeof draftDeliverySchema>;
export type DraftStop = z.infer<typeof draftStopSchema>;
type DraftParcel = NonNullable<DraftDelivery['parcel']>;

export interface KnownAddress {
  label: string;
  address: string;
  lat: number;
  lng: number;
}

export interface IntakeContext {
  /** The wall-clock times in the text ("5 pm") are read in this string's UTC offset. */
  now: string;
  knownAddresses?: KnownAddress[];
}

export interface IntakeResult {
  draft: DraftDelivery;
  missing: string[];
}

/** What a draft needs before it is a valid `POST /deliveries` body (priority always defaults). */
export const REQUIRED_DRAFT_FIELDS = [
  'pickup.address',
  'pickup.lat',
  'pickup.lng',
  'dropoff.address',
  'dropoff.lat',
  'dropoff.lng',
  'parcel.weightKg',
] as const;

// Longer requests are not orders; the cap also bounds the work the patterns below can do.
const MAX_TEXT_LENGTH = 2000;

export function parseDeliveryRequest(text: string, context: IntakeContext): IntakeResult {
  const now = parseIsoInstant(context.now);
  const known = (context.knownAddresses ?? []).filter(
    (k) => isValidLatLng(k) && labelCore(k.label).length > 0 && k.address.trim().length > 0,
  );
  const scan: Scan = { text: normalize(text.slice(0, MAX_TEXT_LENGTH)) };

  const coordinates = readCoordinates(scan);
  const priority = readPriority(scan);
  const notes = readNotes(scan);
  const deadline = readDeadline(scan, now);
  const parcel = readParcel(scan);
  const { pickup, dropoff } = readStops(scan.text, coordinates, known);

  const draft: DraftDelivery = { priority };
  if (pickup) draft.pickup = pickup;
  if (dropoff) draft.dropoff = dropoff;
  if (parcel) draft.parcel = parcel;
  if (notes) draft.notes = notes;
  if (deadline) draft.deadline = deadline;
  return { draft, missing: missingFields(draft) };
}

function missingFields(draft: DraftDelivery): string[] {
  const present: Record<(typeof REQUIRED_DRAFT_FIELDS)[number], unknown> = {
    'pickup.address': draft.pickup?.address,
    'pickup.lat': draft.pickup?.lat,
    'pickup.lng': draft.pickup?.lng,
    'dropoff.address': draft.dropoff?.address,
    'dropoff.lat': draft.dropoff?.lat,
    'dropoff.lng': draft.dropoff?.lng,
    'parcel.weightKg': draft.parcel?.weightKg,
  };
  return REQUIRED_DRAFT_FIELDS.filter((field) => present[field] === undefined);
}

// ---------------------------------------------------------------------------------------------
// Scanning: rules consume what they read, leaving SEP, which later rules treat like a comma.

interface Scan {
  text: string;
}

const SEP = ' ¦ ';
const WORD_CHAR = '[\\p{L}\\p{N}]';
const NUM = '\\d+(?:[.,]\\d+)?';

/** `\b` is ASCII-only in JavaScript; this boundary also respects umlauts and accents. */
function wordPattern(source: string, flags = 'giu'): RegExp {
  return new RegExp(`(?<!${WORD_CHAR})(?:${source})(?!${WORD_CHAR})`, flags);
}

/** Replaces every match for which `use` returns a string; a null keeps the match as it was. */
function rewrite(scan: Scan, pattern: RegExp, use: (m: RegExpExecArray) => string | null): void {
  let out = '';
  let last = 0;
  for (const m of scan.text.matchAll(pattern)) {
    const replacement = use(m);
    if (replacement === null) continue;
    out += scan.text.slice(last, m.index) + replacement;
    last = m.index + m[0].length;
  }
  scan.text = out + scan.text.slice(last);
}

function consume(scan: Scan, pattern: RegExp, use: (m: RegExpExecArray) => boolean | void): void {
  rewrite(scan, pattern, (m) => (use(m) === false ? null : SEP));
}

function normalize(text: string): string {
  return text
    .replace(/[¦⟦⟧]/g, ' ') // reserved for the scanner's own marks
    .replace(/[‘’]/g, "'")
    .replace(/\s*(?:->|=>|→|⇒|➔|➜)\s*/g, ' → ')
    .replace(/\s*\n\s*/g, '; ')
    .replace(/\s+/g, ' ')
    .trim();
}

function parseAmount(raw: string): number {
  // "1,500" is a thousands separator; "3,5" is a decimal comma.
  return Number(/^\d{1,3}(?:,\d{3})+$/.test(raw) ? raw.replace(/,/g, '') : raw.replace(',', '.'));
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// Coordinates: "52.52,13.40" becomes a token so its comma cannot split an address.

interface FoundPoint extends LatLng {
  text: string;
}

const COORDINATES = /(?<![\d.])(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)(?![\d.])/g;
const POINT_TOKEN = /⟦(\d+)⟧/g;

function readCoordinates(scan: Scan): FoundPoint[] {
  const points: FoundPoint[] = [];
  rewrite(scan, COORDINATES, (m) => {
    const point = { lat: Number(m[1]), lng: Number(m[2]) };
    if (!isValidLatLng(point)) return null;
    points.push({ ...point, text: `${m[1]}, ${m[2]}` });
    return ` ⟦${points.length - 1}⟧ `;
  });
  return points;
}

// ---------------------------------------------------------------------------------------------
// Priority: the most urgent word wins; "no rush" and "not urgent" do not count.

const URGENT_WORDS = 'urgent(?:ly)?|asap|a\\.s\\.a\\.p\\.?|as soon as possible|emergency|rush(?! hour)|immediately|right away|right now|in a hurry|hurry';
const EXPRESS_WORDS = 'express|fast|quick(?:ly)?|same[ -]day';
const SAME_DAY_WORDS = 'today|tonight|this (?:morning|afternoon|evening)';

function readPriority(scan: Scan): Priority {
  // Negations go first, so the words they negate are no longer there to be read.
  consume(scan, wordPattern(`(?:no|not|non)[ -](?:in a )?(?:${URGENT_WORDS}|${EXPRESS_WORDS})|no need to (?:rush|hurry)`), () => {});
  let level = 0;
  consume(scan, wordPattern(URGENT_WORDS), () => {
    level = 2;
  });
  consume(scan, wordPattern(EXPRESS_WORDS), () => {
    level = Math.max(level, 1);
  });
  // Left in place: the deadline rule reads these as dates too.
  if (wordPattern(SAME_DAY_WORDS, 'iu').test(scan.text)) level = Math.max(level, 1);
  return PRIORITIES[level] ?? 'standard';
}

// ---------------------------------------------------------------------------------------------
// Notes: instructions for the driver ("ring twice", "fragile"), kept out of the addresses.

const NOTE_START =
  "(?:please\\s+)?(?:fragile|perishable|handle|be careful|careful|ring|call|phone|text|leave|knock|buzz|do not|don't|dont|note|gate|door code|code|keep|signature|beware)";
const NOTE_PIECE = new RegExp(
  `(?<=^|[,;!?¦]|[.:]\\s)\\s*((?:${NOTE_START})(?!${WORD_CHAR})[^,;!?¦]*?)\\s*(?=[,;!?¦]|\\.(?:\\s|$)|$)`,
  'giu',
);
const NOTE_FLAGS = ['fragile', 'perishable', 'handle with care', 'this side up', 'keep upright'];

function readNotes(scan: Scan): string | undefined {
  const notes: string[] = [];
  rewrite(scan, NOTE_PIECE, (m) => {
    const note = (m[1] ?? '').trim();
    if (STRONG_MARKER.test(note)) return null;
    notes.push(note);
    return SEP;
  });
  for (const flag of NOTE_FLAGS) {
    const mentioned = wordPattern(flag, 'iu').test(scan.text);
    if (mentioned && !notes.some((n) => n.toLowerCase().includes(flag))) notes.push(capitalize(flag));
  }
  return notes.length > 0 ? notes.join('; ').slice(0, 1000) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Deadline: relative ("in 2 hours"), clock ("5 pm", "17:30"), part of day ("tonight") and day
// ("tomorrow", "Friday"). A time without a day means its next occurrence; a day without a time
// means by the end of that day. With both a relative and an absolute deadline the earlier wins.

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

function readDeadline(scan: Scan, now: Instant): string | undefined {
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
function localDayStart(now: Instant, addDays: number): number {
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

function readDayStart(scan: Scan, now: Instant): number | undefined {
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

// ---------------------------------------------------------------------------------------------
// Parcel: counts ("3 boxes", "a pallet"), weights ("12 kg", "500 g", "2 lbs"), per-item or total.

const UNIT = 'kilograms?|kilos?|kgs?|grams?|gr|g|pounds?|lbs?';
const KG_PER_UNIT: Array<[RegExp, number]> = [
  [/^(?:g|gr|grams?)$/i, 0.001],
  [/^(?:lbs?|pounds?)$/i, 0.45359237],
  [/^k/i, 1],
];
const COUNT_WORDS: Record<string, number> = {
  'a couple of': 2, 'a pair of': 2, 'a dozen': 12, dozen: 12, single: 1, a: 1, an: 1, one: 1,
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const COUNT = `\\d{1,3}|${Object.keys(COUNT_WORDS).join('|')}`;
const ITEM_NOUN =
  'box(?:es)?|parcels?|packages?|pallets?|envelopes?|bags?|crates?|cartons?|items?|pieces|pcs|letters?|suitcases?|sacks?|tubes?|rolls?|bundles?|containers?|cases';
const ITEM_ADJECTIVE = 'small|large|big|heavy|light|medium|little|huge|tiny|sealed|wooden|cardboard|euro|standard|extra|fragile|perishable';
const GOODS =
  'documents?|papers|contracts?|keys|flowers|bouquet|cake|medicine|medication|medical supplies|prescriptions?|groceries|food|laptop|books|spare parts|samples|tools|clothes|wine|coffee';
const APPROX = '(?:(?:up to|about|around|approx(?:\\.|imately)?|roughly|max(?:imum)?|under|less than|ca\\.?|~)\\s*)';
const OF_STOP = 'from|to|for|at|by|and|with|before|until|in|on|each|per|pick|deliver|drop|send|bring|collect';
const OF_WORD = `(?!(?:${OF_STOP})(?!${WORD_CHAR}))[\\p{L}'-]+`;
const GOODS_TAIL = `of\\s+(?<goods>${OF_WORD}(?:\\s+${OF_WORD}){0,2})`;

const weight = (tag: string) => `(?<num${tag}>${NUM})\\s*-?\\s*(?<unit${tag}>${UNIT})`;

/** "2 x 4 kg", "2x4kg" */
const MULTIPLIED_WEIGHT = `(?<times>\\d{1,3})\\s*[x×*]\\s*${weight('X')}`;
/** "3 boxes", "a pallet of 300 kilos", "three 10 kg boxes", "2 boxes of books" */
const ITEM_PHRASE =
  `(?<count>${COUNT})\\s+(?:(?:${ITEM_ADJECTIVE})\\s+){0,2}(?:${weight('In')}\\s+)?(?<noun>${ITEM_NOUN})` +
  `(?:\\s+(?:of|at|weighing)\\s+${APPROX}?${weight('Of')}(?:\\s+each)?|\\s+${GOODS_TAIL})?`;
const EACH_BEFORE = 'each(?:\\s+(?:one|box|parcel|package|item|bag))?(?:\\s+(?:weighs|weighing|is|at|of))?';
const TOTAL_BEFORE = '(?:in\\s+)?total(?:\\s+weight)?(?:\\s+(?:of|is))?:?';
const NEUTRAL_BEFORE = '(?:it\\s+)?(?:weighs|weighing|weight:?)';
const TOTAL_AFTER = '(?:in\\s+)?total|altogether|all together|combined|overall|together';
const EACH_AFTER = 'each|apiece|a piece|per (?:box|parcel|package|piece|item|pallet|bag|crate|carton|unit|envelope)';
/** "10-12 kg" is read as its upper bound. */
const RANGE_START = `(?:${NUM}\\s*[-–]\\s*)`;
/** "12 kg total", "3.5 kg each", "each 4 kg", "total of 12 kg", "10 kilos of apples" */
const WEIGHT_PHRASE =
  `(?:(?<eachBefore>${EACH_BEFORE})\\s+|(?<totalBefore>${TOTAL_BEFORE})\\s*|${NEUTRAL_BEFORE}\\s*)?` +
  `${APPROX}?${RANGE_START}?${weight('W')}` +
  `(?:\\s+(?:(?<totalAfter>${TOTAL_AFTER})|(?<eachAfter>${EACH_AFTER})))?(?:\\s+${GOODS_TAIL})?`;

function kilograms(amount: string | undefined, unit: string | undefined): number | undefined {
  if (amount === undefined || unit === undefined) return undefined;
  const factor = KG_PER_UNIT.find(([re]) => re.test(unit))?.[1];
  return factor === undefined ? undefined : parseAmount(amount) * factor;
}

function readParcel(scan: Scan): DraftParcel | undefined {
  let count = 0;
  let itemsKg = 0;
  let looseKg = 0;
  let eachKg = 0;
  let totalKg: number | undefined;
  let sawWeight = false;
  const descriptions: string[] = [];

  consume(scan, wordPattern(MULTIPLIED_WEIGHT), (m) => {
    const times = Number(m.groups?.times);
    count += times;
    itemsKg += times * (kilograms(m.groups?.numX, m.groups?.unitX) ?? 0);
    sawWeight = true;
  });
  consume(scan, wordPattern(ITEM_PHRASE), (m) => {
    const g = m.groups ?? {};
    const times = COUNT_WORDS[(g.count ?? '').toLowerCase()] ?? Number(g.count);
    if (!(times > 0)) return false;
    count += times;
    const perItem = kilograms(g.numIn, g.unitIn) ?? kilograms(g.numOf, g.unitOf);
    if (perItem !== undefined) {
      itemsKg += times * perItem;
      sawWeight = true;
    }
    descriptions.push(g.goods ? `${g.noun} of ${g.goods}` : (g.noun ?? ''));
  });
  consume(scan, wordPattern(WEIGHT_PHRASE), (m) => {
    const g = m.groups ?? {};
    const kg = kilograms(g.numW, g.unitW) ?? 0;
    sawWeight = true;
    if (g.totalBefore || g.totalAfter) totalKg ??= kg;
    else if (g.eachBefore || g.eachAfter) eachKg += kg;
    else looseKg += kg;
    if (g.goods) descriptions.push(g.goods);
  });
  consume(scan, wordPattern(GOODS), (m) => {
    descriptions.push(m[0]);
  });

  const parcel: DraftParcel = {};
  if (sawWeight) {
    const kg = totalKg ?? itemsKg + looseKg + eachKg * Math.max(count, 1);
    if (kg > 0 && Number.isFinite(kg)) parcel.weightKg = Math.max(0.01, round(kg, 2));
  }
  if (count > 0) parcel.count = count;
  const description = [...new Set(descriptions.filter(Boolean))].join(', ').slice(0, 500);
  if (description) parcel.description = description;
  return Object.keys(parcel).length > 0 ? parcel : undefined;
}

// ---------------------------------------------------------------------------------------------
// Stops: markers ("from", "pick up at", "deliver to", "to", "→") open a clause that runs to the
// next marker or the end of the sentence; a clause becomes an address, a contact and a position.

type Role = 'pickup' | 'dropoff';
type MarkerKind = 'verb' | 'bare' | 'weak' | 'arrow';
interface Marker {
  role: Role;
  kind: MarkerKind;
  start: number;
  end: number;
}

const OBJECT = '(?:(?:it|them|this|these|that|those|everything|all|¦)\\s+)';
const PICKUP_VERB =
  `pick(?:ed|ing)?\\s*-?\\s*${OBJECT}?up\\s+${OBJECT}?(?:at|from|in)|collect(?:ed|ing)?\\s+${OBJECT}?(?:at|from)` +
  `|get\\s+${OBJECT}?from|(?:pick\\s*-?\\s*up|collection|origin|sender)(?:\\s+(?:address|location|point))?\\s*(?::|=|\\s+is)`;
const DROPOFF_VERB =
  `(?:deliver(?:ed|ing|y)?|drop(?:ped|ping)?|bring|brought|send|sent|ship(?:ped)?|take|taken|carry|courier|transport)` +
  `\\s*-?\\s*${OBJECT}?(?:off\\s+)?(?:to|at)` +
  `|(?:drop\\s*-?\\s*off|delivery|destination|recipient)(?:\\s+(?:address|location|point))?\\s*(?::|=|\\s+is)`;
// "need to", "next to": a "to" that does not lead to a place.
const NOT_A_DESTINATION = 'need|needs|want|wants|have|has|had|going|like|love|able|got|ought|trying|try|plan|planning|hoping|supposed|used|next|close|due|according|up|back|how|where|what';

const MARKER_RULES: Array<{ role: Role; kind: MarkerKind; pattern: RegExp }> = [
  { role: 'pickup', kind: 'verb', pattern: wordPattern(PICKUP_VERB) },
  { role: 'pickup', kind: 'bare', pattern: wordPattern('from') },
  { role: 'dropoff', kind: 'verb', pattern: wordPattern(DROPOFF_VERB) },
  { role: 'dropoff', kind: 'bare', pattern: wordPattern(`(?<!(?:${NOT_A_DESTINATION})\\s+)to`) },
  { role: 'dropoff', kind: 'weak', pattern: wordPattern('for') },
  { role: 'dropoff', kind: 'arrow', pattern: /→/gu },
];
const STRONG_MARKER = wordPattern(`${PICKUP_VERB}|${DROPOFF_VERB}`, 'iu');

function findMarkers(text: string): Marker[] {
  const all = MARKER_RULES.flatMap(({ role, kind, pattern }) =>
    [...text.matchAll(pattern)].map((m) => ({ role, kind, start: m.index, end: m.index + m[0].length })),
  );
  const dropoffs = all.filter((m) => m.role === 'dropoff');
  const hasClearDropoff = dropoffs.some((m) => m.kind === 'verb' || m.kind === 'arrow');
  const hasAnyOtherDropoff = dropoffs.some((m) => m.kind !== 'weak');
  const usable = all.filter(
    (m) => !(m.role === 'dropoff' && ((m.kind === 'bare' && hasClearDropoff) || (m.kind === 'weak' && hasAnyOtherDropoff))),
  );
  // Leftmost first, the longer of two at one place ("pick up from" over "from"), no overlaps.
  usable.sort((a, b) => a.start - b.start || b.end - a.end);
  const chosen: Marker[] = [];
  for (const m of usable) {
    const previous = chosen[chosen.length - 1];
    if (!previous || m.start >= previous.end) chosen.push(m);
  }
  return chosen;
}

const ABBREVIATION = /(?<!\p{L})(?:st|str|ave|rd|dr|mr|mrs|ms|prof|no|nr|blvd|pl|ln|jr|sr|mt|\p{L})$/iu;

// "Straße des 17. Juni": a day number before a month is an ordinal, not the end of a sentence.
const DAY_NUMBER = /(?<!\d)\d{1,2}$/u;
const MONTH = /^\s+(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec)/iu;

function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  for (const m of text.matchAll(/[;!?]|:\s|\.(?=\s+\p{Lu})/gu)) {
    if (m[0] === '.') {
      const before = text.slice(0, m.index);
      const after = text.slice(m.index + 1);
      if (ABBREVIATION.test(before) || (DAY_NUMBER.test(before) && MONTH.test(after))) continue;
    }
    ends.push(m.index);
  }
  return ends;
}

interface StopContext {
  points: FoundPoint[];
  known: KnownAddress[];
}

function readStops(text: string, points: FoundPoint[], known: KnownAddress[]): { pickup?: DraftStop; dropoff?: DraftStop } {
  const ctx: StopContext = { points, known };
  const markers = findMarkers(text);
  const ends = sentenceEnds(text);
  const clauseAfter = (i: number): string => {
    const marker = markers[i];
    if (!marker) return '';
    const stop = Math.min(markers[i + 1]?.start ?? text.length, ends.find((e) => e >= marker.end) ?? text.length);
    return text.slice(marker.end, stop);
  };

  let pickupClause: string | undefined;
  let dropoffClause: string | undefined;
  let impliedPickup: string | undefined;
  const hasPickupMarker = markers.some((m) => m.role === 'pickup');
  markers.forEach((marker, i) => {
    if (marker.role === 'pickup') {
      pickupClause ??= clauseAfter(i);
      return;
    }
    if (dropoffClause !== undefined) return;
    dropoffClause = clauseAfter(i);
    // "Kantstraße 12 → Torstraße 3", "Alexanderplatz 1 to Friedrichstraße 100": the start is what precedes.
    if (!hasPickupMarker && (marker.kind === 'arrow' || marker.kind === 'bare')) {
      const from = Math.max(markers[i - 1]?.end ?? 0, ...ends.filter((e) => e < marker.start).map((e) => e + 1));
      const before = lastPiece(text.slice(from, marker.start));
      if (marker.kind === 'arrow' || looksLikePlace(before, ctx)) impliedPickup = before;
    }
  });

  const dropoff = dropoffClause === undefined ? undefined : stopFromClause(dropoffClause, ctx);
  let pickup = stopFromClause(pickupClause ?? impliedPickup ?? '', ctx);
  if (!pickup) {
    // A saved place mentioned anywhere but the destination is, in practice, where the parcel starts.
    const place = findKnownAddress(dropoffClause === undefined ? text : text.replace(dropoffClause, ' '), ctx.known);
    if (place) pickup = { address: place.address, lat: place.lat, lng: place.lng };
  }
  return { ...(pickup && { pickup }), ...(dropoff && { dropoff }) };
}

function lastPiece(segment: string): string {
  return segment.split(/[,¦]/).map(tidy).filter(Boolean).at(-1) ?? '';
}

function looksLikePlace(text: string, ctx: StopContext): boolean {
  return /\d|⟦/.test(text) || findKnownAddress(text, ctx.known) !== undefined;
}

function stopFromClause(clause: string, ctx: StopContext): DraftStop | undefined {
  const text = addressText(clause);
  if (!text) return undefined;
  const { contactName, place } = splitContact(text, ctx);
  const known = findKnownAddress(place, ctx.known);
  if (known) return { address: known.address, lat: known.lat, lng: known.lng, ...(contactName && { contactName }) };

  const tokens = [...place.matchAll(POINT_TOKEN)].map((m) => ctx.points[Number(m[1])]);
  const point = tokens.find((p) => p !== undefined);
  const address = tidy(place.replace(POINT_TOKEN, ' ').replace(/\(\s*\)/g, ' ')) || point?.text;
  if (!address) return undefined;
  return {
    address: address.slice(0, 300),
    ...(point && { lat: point.lat, lng: point.lng }),
    ...(contactName && { contactName }),
  };
}

/** The clause's first piece, plus following pieces that read like more of an address ("10249 Berlin"). */
function addressText(clause: string): string {
  const pieces = clause.split(/[,¦]/).map(tidy);
  const first = pieces.findIndex((p) => p.length > 0);
  if (first < 0) return '';
  const head = pieces[first] ?? '';
  const [lead = ''] = head.split(/\s+(?:and|then|but|so)\s+(?=\p{Ll})/u);
  if (lead !== head) return tidy(lead);
  const parts = [head];
  for (const piece of pieces.slice(first + 1)) {
    if (!piece) continue;
    if (!/\d|⟦/.test(piece) && !/^\p{Lu}[\p{L}'.-]*(?:\s+\p{Lu}[\p{L}'.-]*){0,2}$/u.test(piece)) break;
    parts.push(piece);
  }
  return parts.join(', ');
}

const LEADING_FILLER = /^(?:[-–—:;.!?)\s]+|(?:and|then|please|also|it|them|off|at|from)(?![\p{L}\p{N}])\s*)/iu;
const TRAILING_FILLER = /(?:[-–—:;.!?(\s]+|(?<![\p{L}\p{N}])(?:and|then|please|pls|with|it|them|for|on|at|by|of|in|from|to))$/iu;

function tidy(piece: string): string {
  let text = piece.replace(/\s+/g, ' ').trim();
  for (;;) {
    const next = text.replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '').trim();
    if (next === text) return text;
    text = next;
  }
}

const NAME = "\\p{Lu}[\\p{L}'.-]{0,30}(?:\\s+\\p{Lu}[\\p{L}'.-]{0,30}){0,2}";
const NAME_AT_PLACE = new RegExp(`^(?<name>${NAME})\\s+(?:at|@)\\s+(?<place>.+)$`, 'u');
const PLACE_FOR_NAME = new RegExp(`^(?<place>.+?),?\\s+(?:for|attn:?|c/o)\\s+(?<name>${NAME})$`, 'u');
const THING_AT_PLACE = /^(?<thing>.+?)\s+at\s+(?<place>.*\d.*)$/u;
const PLACE_WORDS =
  /(?<!\p{L})(?:bakery|bäckerei|shop|store|office|hotel|café|cafe|restaurant|hospital|klinikum|clinic|station|airport|warehouse|lager|market|markt|gmbh|ltd|inc|school|university|bank|pharmacy|apotheke|kanzlei|church|park|mall|center|centre|bar|house|haus|building|street|str|road|platz|straße|strasse|allee|weg|site|farm|depot|factory)(?!\p{L})/iu;

/** "Maria at Elm St 14" and "Elm St 14 for Maria" name a contact; "Bakery Müller at Hauptstr 3" does not. */
function splitContact(text: string, ctx: StopContext): { contactName?: string; place: string } {
  const isPerson = (name: string) => !PLACE_WORDS.test(name) && !findKnownAddress(name, ctx.known);
  const at = NAME_AT_PLACE.exec(text)?.groups;
  if (at?.name && at.place && isPerson(at.name)) return { contactName: at.name, place: at.place };
  const forName = PLACE_FOR_NAME.exec(text)?.groups;
  if (forName?.name && forName.place && isPerson(forName.name)) return { contactName: forName.name, place: forName.place };
  const thing = THING_AT_PLACE.exec(text)?.groups;
  if (thing?.thing && thing.place) return { place: `${thing.thing}, ${thing.place}` };
  return { place: text };
}

function labelCore(label: string): string {
  return label.trim().toLowerCase().replace(/^(?:the|my|our)\s+/, '');
}

/** The longest saved label that the text mentions ("the bakery" matches "bakery on 5th"). */
function findKnownAddress(text: string, known: readonly KnownAddress[]): KnownAddress | undefined {
  let best: KnownAddress | undefined;
  for (const place of known) {
    const core = labelCore(place.label);
    const mentioned = wordPattern(core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu').test(text);
    if (mentioned && (!best || core.length > labelCore(best.label).length)) best = place;
  }
  return best;
}
