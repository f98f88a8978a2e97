/** The customer's saved places, found in the text by their labels ("the bakery", "home"). */
import { wordPattern } from './scan.js';

export interface KnownAddress {
  label: string;
  address: string;
  lat: number;
  lng: number;
}

export function labelCore(label: string): string {
  return label.trim().toLowerCase().replace(/^(?:the|my|our)\s+/, '');
}

/** The longest saved label that the text mentions ("the bakery" matches "bakery on 5th"). */
export function findKnownAddress(text: string, known: readonly KnownAddress[]): KnownAddress | undefined {
  let best: KnownAddress | undefined;
  for (const place of known) {
    const core = labelCore(place.label);
    const mentioned = wordPattern(core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu').test(text);
    if (mentioned && (!best || core.length > labelCore(best.label).length)) best = place;
  }
  return best;
}
