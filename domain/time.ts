/** Instants read from ISO 8601 strings, keeping the offset they were written in. */

const MS_PER_MINUTE = 60_000;

export interface Instant {
  epochMs: number;
  /** The UTC offset written in the string; wall-clock hours are read in it. */
  offsetMinutes: number;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time. A string without a zone is read as UTC, never as this
 * machine's local time, so the result does not depend on where the code runs.
 */
export function parseIsoInstant(iso: string): Instant {
  const m = ISO_INSTANT.exec(iso.trim());
  if (!m) throw new RangeError(`not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', zone] = m;
  const offsetMinutes = zoneOffsetMinutes(zone);
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const wallMs = Date.UTC(...fields, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const wall = new Date(wallMs);
  const roundTrips =
    wall.getUTCFullYear() === fields[0] &&
    wall.getUTCMonth() === fields[1] &&
    wall.getUTCDate() === fields[2] &&
    wall.getUTCHours() === fields[3] &&
    wall.getUTCMinutes() === fields[4] &&
    wall.getUTCSeconds() === fields[5];
  if (!roundTrips || Math.abs(offsetMinutes) > 18 * 60) {
    throw new RangeError(`not a valid ISO 8601 date-time: ${JSON.stringify(iso)}`);
  }
  return { epochMs: wallMs - offsetMinutes * MS_PER_MINUTE, offsetMinutes };
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

/** The wall-clock hour (0–23) written in an ISO string, in that string's own offset (UTC for `Z`). */
export function hourOfDay(at: string): number {
  const { epochMs, offsetMinutes } = parseIsoInstant(at);
  return new Date(epochMs + offsetMinutes * MS_PER_MINUTE).getUTCHours();
}
