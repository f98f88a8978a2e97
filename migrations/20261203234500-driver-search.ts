import type { MigrationFn } from '../db/migrator.js';

/**
 * Dispatch asks for the on-duty drivers nearest a pickup. `cube` (a trusted contrib extension, so the
 * database owner may create it) indexes each position as a point on the unit sphere: the straight line
 * between two such points grows with the distance over the ground, so a GiST scan ordered by `<->` walks
 * drivers nearest first and stops at the LIMIT. Written with the math inline, not earthdistance's
 * `ll_to_earth`, whose body names `cube` unqualified and so breaks a pg_restore of the index.
 * The second index serves each driver's current load: only open deliveries, not the driver's history.
 */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE EXTENSION IF NOT EXISTS cube;
    CREATE INDEX drivers_on_duty_position ON drivers USING gist (
      cube(ARRAY[cos(radians(lat)) * cos(radians(lng)), cos(radians(lat)) * sin(radians(lng)), sin(radians(lat))])
    ) WHERE on_duty AND lat IS NOT NULL AND lng IS NOT NULL;
    CREATE INDEX deliveries_held_by_driver ON deliveries (driver_id)
      WHERE status IN ('ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF', 'ATTEMPT_FAILED', 'RETURNING');
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP INDEX deliveries_held_by_driver; DROP INDEX drivers_on_duty_position;');
};
