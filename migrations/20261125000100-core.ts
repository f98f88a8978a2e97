import type { MigrationFn } from '../db/migrator.js';

export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL UNIQUE,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin','dispatcher','driver','customer')),
      password_hash text NOT NULL,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE drivers (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      vehicle_type text NOT NULL,
      capacity_kg double precision NOT NULL CHECK (capacity_kg > 0),
      on_duty boolean NOT NULL DEFAULT false,
      lat double precision,
      lng double precision,
      heading double precision,
      location_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX drivers_on_duty ON drivers (on_duty) WHERE on_duty;
    CREATE TABLE deliveries (
      id uuid PRIMARY KEY,
      tracking_code text NOT NULL UNIQUE,
      customer_id uuid NOT NULL REFERENCES users(id),
      status text NOT NULL,
      seq integer NOT NULL,
      delayed boolean NOT NULL DEFAULT false,
      priority text NOT NULL,
      pickup jsonb NOT NULL,
      dropoff jsonb NOT NULL,
      parcel jsonb NOT NULL,
      notes text,
      quote jsonb NOT NULL,
      driver_id uuid REFERENCES drivers(id),
      driver_name text,
      offered_driver_id uuid REFERENCES drivers(id),
      offer_expires_at timestamptz,
      eta timestamptz,
      promised_by timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      proof jsonb,
      cancellation jsonb,
      workflow_id text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX deliveries_status ON deliveries (status, created_at DESC, id DESC);
    CREATE INDEX deliveries_customer ON deliveries (customer_id, created_at DESC, id DESC);
    CREATE INDEX deliveries_driver ON deliveries (driver_id, created_at DESC) WHERE driver_id IS NOT NULL;
    CREATE INDEX deliveries_offered ON deliveries (offered_driver_id) WHERE offered_driver_id IS NOT NULL;
    CREATE INDEX deliveries_recent ON deliveries (created_at DESC, id DESC);
    CREATE TABLE delivery_events (
      id bigserial PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      type text NOT NULL,
      at timestamptz NOT NULL,
      actor jsonb NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      UNIQUE (delivery_id, seq)
    );
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE delivery_events; DROP TABLE deliveries; DROP TABLE drivers; DROP TABLE users;');
};
