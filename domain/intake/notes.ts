/** Notes: instructions for the driver ("ring twice", "fragile"), kept out of the addresses. */
import { STRONG_MARKER } from './clauses.js';
import { rewrite, SEP, WORD_CHAR, wordPattern, type Scan } from './scan.js';

const NOTE_START =
  "(?:please\\s+)?(?:fragile|perishable|handle|be careful|careful|ring|call|phone|text|leave|knock|buzz|do not|don't|dont|note|gate|door code|code|keep|signature|beware)";
const NOTE_PIECE = new RegExp(
  `(?<=^|[,;!?¦]|[.:]\\s)\\s*((?:${NOTE_START})(?!${WORD_CHAR})[^,;!?¦]*?)\\s*(?=[,;!?¦]|\\.(?:\\s|$)|$)`,
  'giu',
);
const NOTE_FLAGS = ['fragile', 'perishable', 'handle with care', 'this side up', 'keep upright'];
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function readNotes(scan: Scan): string | undefined {
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
