/** The public tracking view, read from the read model: shared by the HTTP route, the socket handshake and the emitter. */
import { randomBytes } from 'node:crypto';
import type { Database } from './connection.js';
import { toTrackingView, type TimeWindow, type TrackingView } from '../domain/delivery.js';
import type { DeliveryStatus } from '../domain/status.js';
import { iso } from './deliveries.js';
import { prepared } from './prepared.js';

const CODE = /^[0-9A-Z]{16}$/;

/** Crockford base32 without I, L, O, U: 16 characters carry 80 random bits. */
const TRACKING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newTrackingCode(): string {
  const bytes = randomBytes(16);
  return Array.from(bytes, (b) => TRACKING_ALPHABET[b & 31]).join('');
}


/** Whether this (upper-case) text has a tracking code's shape; nothing else is looked up. */
export const isTrackingCode = (code: string): boolean => CODE.test(code);

/**
 * What the public view shows, in one statement: the delivery's few public columns, its timeline's
 * `seq`, `type` and `at` aggregated with `json_agg`, and its driver's position by a join. The tracking
 * page is the most read route; three queries through model instances cost it three times the CPU of the
 * work itself, and event payloads (AI rationales, proofs) are never shown there.
 */
const VIEW = (where: string) => `
  SELECT d.id, d.tracking_code AS "trackingCode", d.status, d.seq, d.delayed, d.eta, d.promised_by AS "promisedBy",
         d.pickup_window AS "pickupWindow", d.dropoff_window AS "dropoffWindow",
         d.pickup->>'address' AS "pickupAddress", d.dropoff->>'address' AS "dropoffAddress",
         d.driver_name AS "driverName", d.driver_id AS "driverId", d.proof->>'recipientName' AS "recipientName", d.proof->>'at' AS "proofAt",
         COALESCE((SELECT json_agg(json_build_object('seq', e.seq, 'type', e.type, 'at', e.at) ORDER BY e.seq)
                     FROM delivery_events e WHERE e.delivery_id = d.id), '[]') AS events,
         p.lat AS "driverLat", p.lng AS "driverLng", p.location_at AS "driverAt"
    FROM deliveries d
    LEFT JOIN drivers p ON p.id = d.driver_id AND p.lat IS NOT NULL
   WHERE ${where}`;
/** The view of one tracking code (upper case), its one parameter `$1`. */
export const TRACKING_VIEW_BY_CODE = VIEW('d.tracking_code = $1');
const BY_ID = VIEW('d.id = $1');

export interface TrackingViewRow {
  id: string;
  trackingCode: string;
  status: DeliveryStatus;
  seq: number;
  delayed: boolean;
  eta: Date | null;
  promisedBy: Date | null;
  pickupWindow: TimeWindow | null;
  dropoffWindow: TimeWindow | null;
  pickupAddress: string;
  dropoffAddress: string;
  driverId: string | null;
  driverName: string | null;
  recipientName: string | null;
  proofAt: string | null;
  events: Array<{ seq: number; type: string; at: string }>;
  driverLat: number | null;
  driverLng: number | null;
  driverAt: Date | null;
}

export function trackingViewFromRow(row: TrackingViewRow): TrackingView {
  const position = row.driverLat !== null && row.driverLng !== null && row.driverAt !== null
    ? { lat: row.driverLat, lng: row.driverLng, at: iso(row.driverAt)! }
    : null;
  return toTrackingView({
    trackingCode: row.trackingCode,
    status: row.status,
    seq: row.seq,
    delayed: row.delayed,
    eta: iso(row.eta),
    promisedBy: iso(row.promisedBy),
    pickupWindow: row.pickupWindow,
    dropoffWindow: row.dropoffWindow,
    pickup: { address: row.pickupAddress },
    dropoff: { address: row.dropoffAddress },
    driver: row.driverId ? { name: row.driverName ?? '' } : null,
    proof: row.proofAt ? { ...(row.recipientName ? { recipientName: row.recipientName } : {}), at: row.proofAt } : null,
    timeline: row.events.map((e) => ({ seq: e.seq, type: e.type, at: iso(e.at)! })),
  }, position);
}

/** Looks a delivery up by its tracking code (case-insensitive) or its id; null when there is none. */
export async function loadTrackingView(
  db: Database,
  by: { trackingCode: string } | { id: string },
): Promise<{ id: string; view: TrackingView } | null> {
  let rows: TrackingViewRow[];
  if ('trackingCode' in by) {
    const code = by.trackingCode.toUpperCase();
    if (!isTrackingCode(code)) return null;
    rows = await prepared(db, 'tracking-view-by-code', TRACKING_VIEW_BY_CODE, [code]);
  } else {
    rows = await prepared(db, 'tracking-view-by-id', BY_ID, [by.id]);
  }
  const [row] = rows;
  return row ? { id: row.id, view: trackingViewFromRow(row) } : null;
}

/** The public view, for services that are handed a store and never the database. */
export function createTrackingStore(db: Database) {
  return { find: (by: { trackingCode: string } | { id: string }) => loadTrackingView(db, by) };
}
export type TrackingStore = ReturnType<typeof createTrackingStore>;
