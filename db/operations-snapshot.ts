/** A compact picture of live operations for the dispatcher assistant: two queries over the read model. */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Priority } from '../domain/pricing.js';
import { DELIVERY_STATUSES, TERMINAL_STATUSES, type DeliveryStatus } from '../domain/status.js';

export interface SnapshotDelivery {
  trackingCode: string;
  status: DeliveryStatus;
  priority: Priority;
  driverName: string | null;
  promisedBy: string | null;
  eta: string | null;
  createdAt: string;
  pickup: string;
  dropoff: string;
}

export interface SnapshotDriver {
  name: string;
  vehicleType: string;
  capacityKg: number;
  activeDeliveries: number;
  loadKg: number;
  lastSeenAt: string | null;
}

export interface OperationsSnapshot {
  at: string;
  /** Open deliveries, and those that reached a final status in the last 24 hours. */
  countsByStatus: Partial<Record<DeliveryStatus, number>>;
  /** Open and past their promised time, or already flagged as delayed; the earliest missed promise first. */
  late: { total: number; items: SnapshotDelivery[] };
  /** Accepted and waiting for a driver, longest waiting first. */
  unassigned: { total: number; items: SnapshotDelivery[] };
  /** Least busy first. */
  driversOnDuty: { total: number; items: SnapshotDriver[] };
}

/** Lists are capped: the snapshot goes into a prompt, and totals say how much was left out. */
const LIST_LIMIT = 10;
const DRIVER_LIMIT = 25;

const TERMINAL = [...TERMINAL_STATUSES];
const CARRYING = DELIVERY_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s) && s !== 'QUOTED' && s !== 'SCHEDULED' && s !== 'DISPATCHING');

const ITEM = `json_build_object(
  'trackingCode', tracking_code, 'status', status, 'priority', priority, 'driverName', driver_name,
  'promisedBy', promised_by, 'eta', eta, 'createdAt', created_at,
  'pickup', pickup->>'address', 'dropoff', dropoff->>'address')`;
const LATE = `status NOT IN (:terminal) AND (delayed OR promised_by < now())`;

const DELIVERIES_SQL = `
  SELECT
    (SELECT COALESCE(json_object_agg(status, n), '{}'::json) FROM (
       SELECT status, COUNT(*)::int AS n FROM deliveries
        WHERE status NOT IN (:terminal) OR updated_at > now() - interval '24 hours'
        GROUP BY status) c) AS "countsByStatus",
    (SELECT COUNT(*)::int FROM deliveries WHERE ${LATE}) AS "lateTotal",
    (SELECT COALESCE(json_agg(item), '[]'::json) FROM (
       SELECT ${ITEM} AS item FROM deliveries WHERE ${LATE} ORDER BY promised_by NULLS LAST LIMIT ${LIST_LIMIT}) l) AS late,
    (SELECT COUNT(*)::int FROM deliveries WHERE status = 'DISPATCHING') AS "unassignedTotal",
    (SELECT COALESCE(json_agg(item), '[]'::json) FROM (
       SELECT ${ITEM} AS item FROM deliveries WHERE status = 'DISPATCHING' ORDER BY created_at LIMIT ${LIST_LIMIT}) u) AS unassigned`;

const DRIVERS_SQL = `
  SELECT d.name, d.vehicle_type AS "vehicleType", d.capacity_kg AS "capacityKg", d.location_at AS "lastSeenAt",
         COUNT(x.id)::int AS "activeDeliveries", COALESCE(SUM((x.parcel->>'weightKg')::numeric), 0)::float AS "loadKg",
         COUNT(*) OVER ()::int AS total
    FROM drivers d
    JOIN users u ON u.id = d.user_id AND u.disabled_at IS NULL
    LEFT JOIN deliveries x ON x.driver_id = d.id AND x.status IN (:carrying)
   WHERE d.on_duty
   GROUP BY d.id
   ORDER BY COUNT(x.id), d.name
   LIMIT ${DRIVER_LIMIT}`;

interface DeliveriesRow {
  countsByStatus: Partial<Record<DeliveryStatus, number>>;
  lateTotal: number;
  late: SnapshotDelivery[];
  unassignedTotal: number;
  unassigned: SnapshotDelivery[];
}

export async function loadOperationsSnapshot(sequelize: Sequelize, now = new Date()): Promise<OperationsSnapshot> {
  const [[deliveries], drivers] = await Promise.all([
    sequelize.query<DeliveriesRow>(DELIVERIES_SQL, { type: QueryTypes.SELECT, replacements: { terminal: TERMINAL } }),
    sequelize.query<SnapshotDriver & { total: number; lastSeenAt: Date | null }>(DRIVERS_SQL, {
      type: QueryTypes.SELECT,
      replacements: { carrying: CARRYING },
    }),
  ]);
  if (!deliveries) throw new Error('snapshot query returned no row');
  return {
    at: now.toISOString(),
    countsByStatus: deliveries.countsByStatus,
    late: { total: deliveries.lateTotal, items: deliveries.late.map(withIsoTimes) },
    unassigned: { total: deliveries.unassignedTotal, items: deliveries.unassigned.map(withIsoTimes) },
    driversOnDuty: {
      total: drivers[0]?.total ?? 0,
      items: drivers.map(({ total: _total, lastSeenAt, ...d }) => ({ ...d, lastSeenAt: lastSeenAt ? new Date(lastSeenAt).toISOString() : null })),
    },
  };
}

/** JSON built in SQL carries Postgres' timestamp text ("…+00:00"); the API speaks ISO 8601 with Z. */
function withIsoTimes(d: SnapshotDelivery): SnapshotDelivery {
  const iso = (v: string | null) => (v ? new Date(v.endsWith('Z') || /[+-]\d\d(:?\d\d)?$/.test(v) ? v : `${v}Z`).toISOString() : null);
  return { ...d, promisedBy: iso(d.promisedBy), eta: iso(d.eta), createdAt: iso(d.createdAt) ?? d.createdAt };
}

/** What the ops routes ask of Postgres: whether it answers, and how many deliveries are in each status. */
export function createOpsProbe(sequelize: Sequelize) {
  return {
    async ping(): Promise<void> {
      await sequelize.query('SELECT 1');
    },
    deliveriesByStatus(): Promise<Array<{ status: string; n: number }>> {
      return sequelize.query('SELECT status, COUNT(*)::int AS n FROM deliveries GROUP BY status', { type: QueryTypes.SELECT });
    },
  };
}
export type OpsProbe = ReturnType<typeof createOpsProbe>;
