/** The public tracking view, read from the read model: shared by the HTTP route, the socket handshake and the emitter. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { toTrackingView, type TrackingView } from '../domain/delivery.js';
import { deliveryFromRow, type TemporalLinks } from './deliveries.js';
import type { DeliveryEventRow, DeliveryRow } from './models.js';

const CODE = /^[0-9A-Z]{16}$/;

/**
 * The delivery (columns named as DeliveryRow's attributes), its timeline and its driver's last position
 * in one statement: the public tracking page is the most read route, and three queries through model
 * instances cost it three times the CPU of the work itself.
 */
const VIEW = (where: string) => `
  SELECT d.id, d.tracking_code AS "trackingCode", d.customer_id AS "customerId", d.status, d.seq, d.delayed, d.priority,
         d.pickup, d.dropoff, d.parcel, d.notes, d.quote, d.driver_id AS "driverId", d.driver_name AS "driverName",
         d.offered_driver_id AS "offeredDriverId", d.offer_expires_at AS "offerExpiresAt", d.eta, d.promised_by AS "promisedBy",
         d.attempts, d.proof, d.cancellation, d.workflow_id AS "workflowId", d.created_at AS "createdAt", d.updated_at AS "updatedAt",
         COALESCE((SELECT json_agg(json_build_object('seq', e.seq, 'type', e.type, 'at', e.at, 'actor', e.actor, 'data', e.data) ORDER BY e.seq)
                     FROM delivery_events e WHERE e.delivery_id = d.id), '[]') AS events,
         p.lat AS "driverLat", p.lng AS "driverLng", p.location_at AS "driverAt"
    FROM deliveries d
    LEFT JOIN drivers p ON p.id = d.driver_id AND p.lat IS NOT NULL
   WHERE ${where}`;
const BY_CODE = VIEW('d.tracking_code = :key');
const BY_ID = VIEW('d.id = :key');

type ViewRow = DeliveryRow & { events: DeliveryEventRow[]; driverLat: number | null; driverLng: number | null; driverAt: Date | null };

/** Looks a delivery up by its tracking code (case-insensitive) or its id; null when there is none. */
export async function loadTrackingView(
  sequelize: Sequelize,
  links: TemporalLinks,
  by: { trackingCode: string } | { id: string },
): Promise<{ id: string; view: TrackingView } | null> {
  let sql: string;
  let key: string;
  if ('trackingCode' in by) {
    key = by.trackingCode.toUpperCase();
    if (!CODE.test(key)) return null;
    sql = BY_CODE;
  } else {
    key = by.id;
    sql = BY_ID;
  }
  const [row] = await sequelize.query<ViewRow>(sql, { type: QueryTypes.SELECT, replacements: { key } });
  if (!row) return null;
  const position = row.driverLat !== null && row.driverLng !== null && row.driverAt !== null
    ? { lat: row.driverLat, lng: row.driverLng, at: new Date(row.driverAt).toISOString() }
    : null;
  return { id: row.id, view: toTrackingView(deliveryFromRow(row, links, row.events), position) };
}
