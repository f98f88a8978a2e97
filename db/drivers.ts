/**
 * Drivers with their current load (open deliveries and the weight they carry): the dispatcher's roster
 * and dispatch's candidate search are one query, so both always count load the same way.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { LatLng } from '../domain/geo.js';
import type { Database } from './connection.js';
import { DRIVER_HELD_STATUSES } from '../domain/status.js';
import { Driver } from './models.js';
import { prepared } from './prepared.js';

export interface DriverWithLoad {
  id: string;
  userId: string;
  name: string;
  vehicleType: string;
  capacityKg: number;
  onDuty: boolean;
  lat: number | null;
  lng: number | null;
  heading: number | null;
  locationAt: Date | null;
  activeDeliveries: number;
  activeLoadKg: number;
}

/** A position as a point on the unit sphere, exactly as the index `drivers_on_duty_position` is built. */
const POSITION = 'cube(ARRAY[cos(radians(d.lat)) * cos(radians(d.lng)), cos(radians(d.lat)) * sin(radians(d.lng)), sin(radians(d.lat))])';

/** Active drivers (`d`, from `from`) with their load: a LATERAL per driver, so a search counts only what it keeps. */
const WITH_LOAD = (from: string, order: string) => `
  SELECT d.id, d.user_id AS "userId", d.name, d.vehicle_type AS "vehicleType", d.capacity_kg AS "capacityKg",
         d.on_duty AS "onDuty", d.lat, d.lng, d.heading, d.location_at AS "locationAt",
         l.active AS "activeDeliveries", l.weight AS "activeLoadKg"
    FROM ${from}
   CROSS JOIN LATERAL (
         SELECT COUNT(*)::int AS active, COALESCE(SUM((x.parcel->>'weightKg')::numeric), 0)::float AS weight
           FROM deliveries x WHERE x.driver_id = d.id AND x.status IN (${HELD})) l
   ${order}`;

/**
 * Written into the text, not bound: a prepared statement's generic plan can then still prove that it only
 * wants the rows of the partial index `deliveries_held_by_driver`.
 */
const HELD = DRIVER_HELD_STATUSES.map((status) => `'${status}'`).join(', ');

const ACTIVE = 'drivers d JOIN users u ON u.id = d.user_id AND u.disabled_at IS NULL';

/** Every active driver, by name. */
export function listDriversWithLoad(sequelize: Sequelize): Promise<DriverWithLoad[]> {
  return sequelize.query<DriverWithLoad>(WITH_LOAD(ACTIVE, 'ORDER BY d.name'), { type: QueryTypes.SELECT });
}

export interface NearestDriversQuery {
  near: LatLng;
  excludeDriverIds: readonly string[];
  limit: number;
}

/** The unit-sphere point of a position, as `POSITION` computes it. */
function spherePoint({ lat, lng }: LatLng): [number, number, number] {
  const rad = Math.PI / 180;
  return [Math.cos(lat * rad) * Math.cos(lng * rad), Math.cos(lat * rad) * Math.sin(lng * rad), Math.sin(lat * rad)];
}

const NEAREST_DISTANCE = `${POSITION} <-> cube($1::float8[])`;
/** Parameters: $1 the point (`spherePoint`), $2 drivers left out, $3 the limit. */
export const NEAREST_DRIVERS = WITH_LOAD(
  `(SELECT d.*, ${NEAREST_DISTANCE} AS chord
      FROM ${ACTIVE}
     WHERE d.on_duty AND d.lat IS NOT NULL AND d.lng IS NOT NULL AND NOT (d.id = ANY($2::uuid[]))
     ORDER BY ${NEAREST_DISTANCE} LIMIT $3) d`,
  'ORDER BY d.chord',
);

/**
 * The `limit` active on-duty drivers nearest a point, nearest first, with their load. The index walks
 * them in order and stops at the limit, so the cost follows `limit`, not the fleet. No radius is given to
 * the index: with one, Postgres estimates the box at a handful of rows and sorts all of it instead. The
 * statement is prepared, since planning it took longer than running it.
 */
export function nearestDriversWithLoad(db: Database, q: NearestDriversQuery): Promise<DriverWithLoad[]> {
  return prepared<DriverWithLoad>(db, 'nearest-drivers-with-load', NEAREST_DRIVERS, [spherePoint(q.near), [...q.excludeDriverIds], q.limit]);
}

/** The roster and each driver's own rows, for the API and the dispatch activities. */
export function createDriverStore(sequelize: Sequelize) {
  return {
    listWithLoad: () => listDriversWithLoad(sequelize),

    /** False when there is no such driver. */
    async setDuty(driverId: string, onDuty: boolean): Promise<boolean> {
      const [count] = await Driver.update({ onDuty }, { where: { id: driverId } });
      return count > 0;
    },

    /** The deliveries a driver holds now (assigned and not yet finished). */
    async heldDeliveryIds(driverId: string): Promise<string[]> {
      const rows = await sequelize.query<{ id: string }>(`SELECT id FROM deliveries WHERE driver_id = :driverId AND status IN (${HELD})`, {
        type: QueryTypes.SELECT,
        replacements: { driverId },
      });
      return rows.map((r) => r.id);
    },

    async position(driverId: string): Promise<LatLng | null> {
      const driver = await Driver.findByPk(driverId, { attributes: ['lat', 'lng'] });
      return driver?.lat == null || driver.lng == null ? null : { lat: driver.lat, lng: driver.lng };
    },

    /** A driver whose account is enabled, or null. */
    async findActive(driverId: string): Promise<{ id: string; name: string } | null> {
      const [row] = await sequelize.query<{ id: string; name: string }>(
        `SELECT d.id, d.name FROM ${ACTIVE} WHERE d.id = :driverId`,
        { type: QueryTypes.SELECT, replacements: { driverId } },
      );
      return row ?? null;
    },
  };
}
export type DriverStore = ReturnType<typeof createDriverStore>;
