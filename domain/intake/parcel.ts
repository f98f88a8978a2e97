/** Parcel: counts ("3 boxes", "a pallet"), weights ("12 kg", "500 g", "2 lbs"), per-item or total. */
import type { DraftParcel } from './draft.js';
import { consume, NUM, parseAmount, WORD_CHAR, wordPattern, type Scan } from './scan.js';

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

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function kilograms(amount: string | undefined, unit: string | undefined): number | undefined {
  if (amount === undefined || unit === undefined) return undefined;
  const factor = KG_PER_UNIT.find(([re]) => re.test(unit))?.[1];
  return factor === undefined ? undefined : parseAmount(amount) * factor;
}

export function readParcel(scan: Scan): DraftParcel | undefined {
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
