/**
 * Rule-based reading of a free-text delivery request: the deterministic fallback for AI order
 * intake (DESIGN §7 (1)). Each rule reads one kind of fact and blanks out the words it used, so
 * what is left for the address rules is mostly addresses.
 */
import { isValidLatLng } from './geo.js';
import { readCoordinates } from './intake/coordinates.js';
import { readDeadline } from './intake/deadline.js';
import { missingFields, type DraftDelivery } from './intake/draft.js';
import { labelCore, type KnownAddress } from './intake/known-addresses.js';
import { readNotes } from './intake/notes.js';
import { readParcel } from './intake/parcel.js';
import { readPriority } from './intake/priority.js';
import { normalize, type Scan } from './intake/scan.js';
import { readStops } from './intake/stops.js';
import { readWindow } from './intake/window.js';
import { parseIsoInstant } from './time.js';

export { draftDeliverySchema, REQUIRED_DRAFT_FIELDS, type DraftDelivery, type DraftStop } from './intake/draft.js';
export type { KnownAddress } from './intake/known-addresses.js';

export interface IntakeContext {
  /** The wall-clock times in the text ("5 pm") are read in this string's UTC offset. */
  now: string;
  knownAddresses?: KnownAddress[];
}

export interface IntakeResult {
  draft: DraftDelivery;
  missing: string[];
}

// Longer requests are not orders; the cap also bounds the work the rules' patterns can do.
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
  const pickupWindow = readWindow(scan, now);
  const deadline = readDeadline(scan, now);
  const parcel = readParcel(scan);
  const { pickup, dropoff } = readStops(scan.text, coordinates, known);

  const draft: DraftDelivery = { priority };
  if (pickup) draft.pickup = pickup;
  if (dropoff) draft.dropoff = dropoff;
  if (parcel) draft.parcel = parcel;
  if (notes) draft.notes = notes;
  if (deadline) draft.deadline = deadline;
  if (pickupWindow) {
    draft.pickupWindow = pickupWindow;
    // "pick up Friday 9–11, deliver by 17:00": the deadline, on the pickup's day or after, closes the drop-off window.
    if (deadline) {
      let end = Date.parse(deadline);
      while (end <= Date.parse(pickupWindow.from)) end += 24 * 3600_000;
      draft.dropoffWindow = { from: pickupWindow.from, to: new Date(end).toISOString() };
      draft.deadline = draft.dropoffWindow.to;
    }
  }
  return { draft, missing: missingFields(draft) };
}
