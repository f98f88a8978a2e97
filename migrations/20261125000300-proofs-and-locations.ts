import type { MigrationFn } from '../db/migrator.js';

export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE proofs (
      id uuid PRIMARY KEY,
      delivery_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('signature','photo')),
      content_type text NOT NULL,
      bytes bytea NOT NULL CHECK (octet_length(bytes) <= 1048576),
      sha256 text NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (delivery_id, kind, sha256)
    );
    CREATE TABLE driver_locations (
      id bigserial PRIMARY KEY,
      driver_id uuid NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
      lat double precision NOT NULL,
      lng double precision NOT NULL,
      heading double precision,
      speed_kph double precision,
      recorded_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX driver_locations_driver_time ON driver_locations (driver_id, recorded_at DESC);
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE driver_locations; DROP TABLE proofs;');
};
