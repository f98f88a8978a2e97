/** Driver location history, and each driver's latest position, written in batches. */
import type { Sequelize } from 'sequelize';
import type { LocationPing } from '../domain/schemas.js';

export type DriverPing = LocationPing & { driverId: string };

export function createLocationStore(sequelize: Sequelize) {
  return {
    /** History rows for every ping, and the newest of each driver's as their position (one statement). */
    async record(batch: DriverPing[]): Promise<void> {
      const rows = JSON.stringify(batch.map((p) => ({ d: p.driverId, lat: p.lat, lng: p.lng, h: p.heading ?? null, s: p.speedKph ?? null, t: p.recordedAt })));
      // A clock ahead of ours must not pin a driver's position in the future, where newer pings never win.
      await sequelize.query(
        `WITH rows AS (
           SELECT d, lat, lng, h, s, LEAST(t, now()) AS t
             FROM jsonb_to_recordset($1::jsonb) AS r(d uuid, lat float8, lng float8, h float8, s float8, t timestamptz)
         ), inserted AS (
           INSERT INTO driver_locations (driver_id, lat, lng, heading, speed_kph, recorded_at)
           SELECT d, lat, lng, h, s, t FROM rows
         ), latest AS (
           SELECT DISTINCT ON (d) d, lat, lng, h, t FROM rows ORDER BY d, t DESC
         )
         UPDATE drivers SET lat = latest.lat, lng = latest.lng, heading = latest.h, location_at = latest.t, updated_at = now()
           FROM latest WHERE drivers.id = latest.d AND (drivers.location_at IS NULL OR drivers.location_at <= latest.t)`,
        // Bound, not replaced: a batch's JSON goes to Postgres as it is, without being escaped into the statement.
        { bind: [rows] },
      );
    },

    /** Deletes up to `chunk` history rows older than `days`; returns how many went. */
    async pruneOlderThan(days: number, chunk: number): Promise<number> {
      const [, meta] = await sequelize.query(
        `DELETE FROM driver_locations WHERE id IN (
           SELECT id FROM driver_locations WHERE recorded_at < now() - make_interval(days => :days) LIMIT :chunk)`,
        { replacements: { days, chunk } },
      );
      return (meta as { rowCount?: number }).rowCount ?? 0;
    },
  };
}
export type LocationStore = ReturnType<typeof createLocationStore>;
