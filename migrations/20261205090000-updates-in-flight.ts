import type { MigrationFn } from '../db/migrator.js';

/**
 * A person's change the API is recording: written before the API sends the Update, deleted once the
 * Update's answer is in the read model. A row that outlives an Update's deadline belongs to an API that
 * stopped in between, or an Update that answered too late; any API instance then records what the
 * delivery's workflow says it did (api/services/updates-in-flight.ts).
 */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE delivery_updates_in_flight (
      id uuid PRIMARY KEY,
      delivery_id uuid NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      claimed_until timestamptz,
      checks integer NOT NULL DEFAULT 0
    );
    CREATE INDEX delivery_updates_in_flight_sent ON delivery_updates_in_flight (sent_at);
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE delivery_updates_in_flight;');
};
