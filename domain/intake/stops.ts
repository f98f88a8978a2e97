/** Stops: each clause (see clauses.ts) becomes an address, a contact and a position. */
import { findMarkers, sentenceEnds } from './clauses.js';
import { POINT_TOKEN, type FoundPoint } from './coordinates.js';
import type { DraftStop } from './draft.js';
import { findKnownAddress, type KnownAddress } from './known-addresses.js';

interface StopContext {
  points: FoundPoint[];
  known: KnownAddress[];
}

export function readStops(text: string, points: FoundPoint[], known: KnownAddress[]): { pickup?: DraftStop; dropoff?: DraftStop } {
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
