import type { MigrationFn } from '../db/migrator.js';

/**
 * Transitions recorded but not yet pushed to screens and queues. The row is written by the same
 * statement as the transition, so a worker that dies between recording and publishing leaves it here
 * for another worker's relay; a published transition's row is deleted. `relay_group` is the task queue of
 * the worker that recorded it: only workers of that queue (same Redis, same hooks) publish it.
 */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE delivery_outbox (
      delivery_id uuid NOT NULL,
      seq integer NOT NULL,
      record jsonb NOT NULL,
      relay_group text NOT NULL,
      enqueued_at timestamptz NOT NULL DEFAULT now(),
      claimed_until timestamptz,
      sweeps integer NOT NULL DEFAULT 0,
      PRIMARY KEY (delivery_id, seq)
    );
    CREATE INDEX delivery_outbox_enqueued ON delivery_outbox (relay_group, enqueued_at);
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE delivery_outbox;');
};
