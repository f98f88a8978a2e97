import type { MigrationFn } from '../db/migrator.js';

/**
 * Saved places (a customer's address book) and the demo city's sample places. An owner is a user
 * today; an organisation owner becomes a second nullable column and the CHECK "exactly one owner".
 */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE places (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('saved','sample')),
      owner_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      label text NOT NULL,
      address text NOT NULL,
      lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
      lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
      contact_name text,
      contact_phone text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'sample') = (owner_user_id IS NULL))
    );
    CREATE INDEX places_owner ON places (owner_user_id, created_at DESC) WHERE owner_user_id IS NOT NULL;
    CREATE UNIQUE INDEX places_sample_label ON places (label) WHERE kind = 'sample';
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE IF EXISTS places');
};
