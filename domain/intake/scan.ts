/** Scanning: rules consume what they read, leaving SEP, which later rules treat like a comma. */

export interface Scan {
  text: string;
}

export const SEP = ' ¦ ';
export const WORD_CHAR = '[\\p{L}\\p{N}]';
export const NUM = '\\d+(?:[.,]\\d+)?';

/** `\b` is ASCII-only in JavaScript; this boundary also respects umlauts and accents. */
export function wordPattern(source: string, flags = 'giu'): RegExp {
  return new RegExp(`(?<!${WORD_CHAR})(?:${source})(?!${WORD_CHAR})`, flags);
}

/** Replaces every match for which `use` returns a string; a null keeps the match as it was. */
export function rewrite(scan: Scan, pattern: RegExp, use: (m: RegExpExecArray) => string | null): void {
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

export function consume(scan: Scan, pattern: RegExp, use: (m: RegExpExecArray) => boolean | void): void {
  rewrite(scan, pattern, (m) => (use(m) === false ? null : SEP));
}

export function normalize(text: string): string {
  return text
    .replace(/[¦⟦⟧]/g, ' ') // reserved for the scanner's own marks
    .replace(/[‘’]/g, "'")
    .replace(/\s*(?:->|=>|→|⇒|➔|➜)\s*/g, ' → ')
    .replace(/\s*\n\s*/g, '; ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseAmount(raw: string): number {
  // "1,500" is a thousands separator; "3,5" is a decimal comma.
  return Number(/^\d{1,3}(?:,\d{3})+$/.test(raw) ? raw.replace(/,/g, '') : raw.replace(',', '.'));
}
