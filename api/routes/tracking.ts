import Router from '@koa/router';
import { QueryTypes, type Sequelize } from 'sequelize';
import { deliveryFromRow, type TemporalLinks } from '../../db/deliveries.js';
import { DeliveryEventRow, DeliveryRow } from '../../db/models.js';
import { toTrackingView } from '../../domain/delivery.js';
import { NotFoundError } from '../errors.js';
import type { AppState } from '../types.js';

const CODE = /^[0-9A-Z]{16}$/;

export async function loadTrackingView(sequelize: Sequelize, links: TemporalLinks, code: string) {
  if (!CODE.test(code)) return null;
  const row = await DeliveryRow.findOne({ where: { trackingCode: code } });
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

export function trackingRoutes(deps: { sequelize: Sequelize; links: TemporalLinks }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/track' });
  router.get('/:code', async (ctx) => {
    const found = await loadTrackingView(deps.sequelize, deps.links, (ctx.params.code ?? '').toUpperCase());
    if (!found) throw new NotFoundError('tracking code');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = found.view;
  });
  return router;
}
