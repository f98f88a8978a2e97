/** Priority: the most urgent word wins; "no rush" and "not urgent" do not count. */
import { PRIORITIES, type Priority } from '../pricing.js';
import { consume, wordPattern, type Scan } from './scan.js';

const URGENT_WORDS = 'urgent(?:ly)?|asap|a\\.s\\.a\\.p\\.?|as soon as possible|emergency|rush(?! hour)|immediately|right away|right now|in a hurry|hurry';
const EXPRESS_WORDS = 'express|fast|quick(?:ly)?|same[ -]day';
const SAME_DAY_WORDS = 'today|tonight|this (?:morning|afternoon|evening)';

export function readPriority(scan: Scan): Priority {
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
