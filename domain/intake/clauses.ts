/**
 * Stop clauses: markers ("from", "pick up at", "deliver to", "to", "→") open a clause that runs to the
 * next marker or the end of the sentence.
 */
import { wordPattern } from './scan.js';

type Role = 'pickup' | 'dropoff';
type MarkerKind = 'verb' | 'bare' | 'weak' | 'arrow';
export interface Marker {
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
export const STRONG_MARKER = wordPattern(`${PICKUP_VERB}|${DROPOFF_VERB}`, 'iu');

export function findMarkers(text: string): Marker[] {
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

export function sentenceEnds(text: string): number[] {
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
