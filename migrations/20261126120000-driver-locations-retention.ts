import type { MigrationFn } from '../db/migrator.js';

/** The retention prune deletes by age; a BRIN index fits rows that arrive roughly in time order and costs pings little. */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('CREATE INDEX driver_locations_recorded_brin ON driver_locations USING brin (recorded_at)');
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP INDEX driver_locations_recorded_brin');
};
