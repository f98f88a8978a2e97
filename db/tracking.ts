/** The public tracking view, read from the read model: shared by the HTTP route, the socket handshake and the emitter. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { toTrackingView, type TrackingView } from '../domain/delivery.js';
import { deliveryFromRow, type TemporalLinks } from './deliveries.js';
import { DeliveryEventRow, DeliveryRow } from './models.js';

const CODE = /^[0-9A-Z]{16}$/;

/** Looks a delivery up by its tracking code (case-insensitive) or its id; null when there is none. */
export async function loadTrackingView(
  sequelize: Sequelize,
  links: TemporalLinks,
  by: { trackingCode: string } | { id: string },
): Promise<{ id: string; view: TrackingView } | null> {
  let where: { trackingCode: string } | { id: string };
  if ('trackingCode' in by) {
    const code = by.trackingCode.toUpperCase();
    if (!CODE.test(code)) return null;
    where = { trackingCode: code };
  } else {
    where = { id: by.id };
  }
  const row = await DeliveryRow.findOne({ where });
  if (!row) return null;
  const [events, position] = await Promise.all([
    DeliveryEventRow.findAll({ where: { deliveryId: row.id }, order: [['seq', 'ASC']], attributes: ['seq', 'type', 'at', 'actor', 'data'] }),
    row.driverId
      ? sequelize.query<{ lat: number; lng: number; at: Date }>(
          'SELECT lat, lng, location_at AS at FROM drivers WHERE id = :id AND lat IS NOT NULL',
          { type: QueryTypes.SELECT, replacements: { id: row.driverId } },
        )
      : Promise.resolve([]),
  ]);
  const p = position[0];
  return { id: row.id, view: toTrackingView(deliveryFromRow(row, links, events), p ? { lat: p.lat, lng: p.lng, at: new Date(p.at).toISOString() } : null) };
}
