/**
 * Alerts in the read model. Every alert enters through `raiseAlert` (the workflow's alert transitions
 * reach it through recordTransition; anything else that needs a dispatcher, such as an activity that
 * keeps failing, may call it directly), and leaves through `resolveClearedAlerts` or an acknowledgement.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { clearedCause, severityOf, type AlertRecord, type AlertState } from '../domain/alerts.js';
import type { DeliveryState } from '../domain/delivery.js';
import { iso } from './deliveries.js';

export interface NewAlert {
  deliveryId: string | null;
  kind: string;
  message: string;
  at: string;
  /** The delivery transition that raised it; with it, raising the same alert again is a no-op. */
  seq?: number | null;
}

interface AlertRow {
  id: string;
  delivery_id: string | null;
  tracking_code: string | null;
  seq: number | null;
  kind: string;
  severity: AlertRecord['severity'];
  message: string;
  raised_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  resolved_at: Date | null;
  resolution: string | null;
}

const SELECT = `
  SELECT a.*, d.tracking_code FROM alerts a LEFT JOIN deliveries d ON d.id = a.delivery_id`;

function fromRow(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    trackingCode: r.tracking_code,
    seq: r.seq,
    kind: r.kind,
    severity: r.severity,
    message: r.message,
    state: r.resolved_at ? 'resolved' : r.acknowledged_at ? 'acknowledged' : 'open',
    raisedAt: iso(r.raised_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by ? { id: r.acknowledged_by, name: r.acknowledged_by_name ?? '' } : null,
    resolvedAt: iso(r.resolved_at),
    resolution: r.resolution,
  };
}

/** The one way an alert enters the read model. Idempotent per (delivery, seq); null when it was already there. */
export async function raiseAlert(sequelize: Sequelize, alert: NewAlert): Promise<AlertRecord | null> {
  const [row] = await sequelize.query<AlertRow>(
    `WITH a AS (
       INSERT INTO alerts (id, delivery_id, seq, kind, severity, message, raised_at)
       -- A delivery whose first write was refused has no row yet: its alert is still kept, unattached.
       VALUES (:id, (SELECT id FROM deliveries WHERE id = :deliveryId), :seq, :kind, :severity, :message, :at)
       ON CONFLICT (delivery_id, seq) DO NOTHING
       RETURNING *)
     SELECT a.*, d.tracking_code FROM a LEFT JOIN deliveries d ON d.id = a.delivery_id`,
    {
      type: QueryTypes.SELECT,
      replacements: {
        id: randomUUID(),
        deliveryId: alert.deliveryId,
        seq: alert.seq ?? null,
        kind: alert.kind,
        severity: severityOf(alert.kind),
        message: alert.message,
        at: alert.at,
      },
    },
  );
  return row ? fromRow(row) : null;
}

/** Resolves the delivery's unresolved alerts whose cause this transition cleared; safe to repeat. */
export async function resolveClearedAlerts(sequelize: Sequelize, state: DeliveryState, seq: number): Promise<void> {
  const open = await sequelize.query<{ id: string; kind: string }>(
    'SELECT id, kind FROM alerts WHERE delivery_id = :deliveryId AND resolved_at IS NULL',
    { type: QueryTypes.SELECT, replacements: { deliveryId: state.deliveryId } },
  );
  for (const alert of open) {
    const why = clearedCause(alert.kind, state);
    if (!why) continue;
    await sequelize.query(
      `UPDATE alerts SET resolved_at = now(), resolved_seq = :seq, resolution = :why WHERE id = :id AND resolved_at IS NULL`,
      { replacements: { id: alert.id, seq, why } },
    );
  }
}

/** Alerts raised or resolved by one transition: what its publication announces. */
export async function alertsChangedBy(sequelize: Sequelize, deliveryId: string, seq: number): Promise<AlertRecord[]> {
  const rows = await sequelize.query<AlertRow>(`${SELECT} WHERE a.delivery_id = :deliveryId AND (a.seq = :seq OR a.resolved_seq = :seq)`, {
    type: QueryTypes.SELECT,
    replacements: { deliveryId, seq },
  });
  return rows.map(fromRow);
}

const STATE_WHERE: Record<AlertState, string> = {
  open: 'a.resolved_at IS NULL AND a.acknowledged_at IS NULL',
  acknowledged: 'a.resolved_at IS NULL AND a.acknowledged_at IS NOT NULL',
  resolved: 'a.resolved_at IS NOT NULL',
};

/** Most urgent first, then newest. */
export async function listAlerts(sequelize: Sequelize, state: AlertState, limit: number, deliveryId?: string): Promise<AlertRecord[]> {
  const rows = await sequelize.query<AlertRow>(
    `${SELECT} WHERE ${STATE_WHERE[state]}${deliveryId ? ' AND a.delivery_id = :deliveryId' : ''}
      ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.raised_at DESC, a.id
      LIMIT :limit`,
    { type: QueryTypes.SELECT, replacements: { limit, deliveryId: deliveryId ?? null } },
  );
  return rows.map(fromRow);
}

/** Records who saw it first; acknowledging again keeps the first acknowledgement. Null: no such alert. */
export async function acknowledgeAlert(sequelize: Sequelize, id: string, by: { id: string; name: string }): Promise<AlertRecord | null> {
  await sequelize.query(
    `UPDATE alerts SET acknowledged_at = now(), acknowledged_by = :userId, acknowledged_by_name = :name
      WHERE id = :id AND acknowledged_at IS NULL`,
    { replacements: { id, userId: by.id, name: by.name } },
  );
  const [row] = await sequelize.query<AlertRow>(`${SELECT} WHERE a.id = :id`, { type: QueryTypes.SELECT, replacements: { id } });
  return row ? fromRow(row) : null;
}

/** The dispatcher's view of alerts. */
export function createAlertStore(sequelize: Sequelize) {
  return {
    list: (state: AlertState, limit: number, deliveryId?: string) => listAlerts(sequelize, state, limit, deliveryId),
    acknowledge: (id: string, by: { id: string; name: string }) => acknowledgeAlert(sequelize, id, by),
  };
}
export type AlertStore = ReturnType<typeof createAlertStore>;
