import type { MigrationFn } from '../db/migrator.js';

/**
 * Time windows and delivery codes on the read model, the codes themselves apart (only the booking
 * customer and dispatchers read them), and alerts that outlive the page that heard them.
 */
export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    ALTER TABLE deliveries
      ADD COLUMN pickup_window jsonb,
      ADD COLUMN dropoff_window jsonb,
      ADD COLUMN dispatch_at timestamptz,
      ADD COLUMN code_required boolean NOT NULL DEFAULT false,
      ADD COLUMN leave_at_door boolean NOT NULL DEFAULT false;
    CREATE INDEX deliveries_dispatch_at ON deliveries (dispatch_at) WHERE status = 'SCHEDULED';

    CREATE TABLE delivery_codes (
      delivery_id uuid PRIMARY KEY,
      code text NOT NULL CHECK (code ~ '^[0-9]{4,6}$'),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE alerts (
      id uuid PRIMARY KEY,
      delivery_id uuid REFERENCES deliveries(id) ON DELETE CASCADE,
      seq integer,
      kind text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('critical','warning','info')),
      message text NOT NULL,
      raised_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by uuid REFERENCES users(id) ON DELETE SET NULL,
      acknowledged_by_name text,
      resolved_at timestamptz,
      resolved_seq integer,
      resolution text,
      UNIQUE (delivery_id, seq)
    );
    CREATE INDEX alerts_unresolved ON alerts (delivery_id) WHERE resolved_at IS NULL;
    CREATE INDEX alerts_raised ON alerts (raised_at DESC);
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    DROP TABLE alerts;
    DROP TABLE delivery_codes;
    DROP INDEX deliveries_dispatch_at;
    ALTER TABLE deliveries DROP COLUMN pickup_window, DROP COLUMN dropoff_window, DROP COLUMN dispatch_at,
      DROP COLUMN code_required, DROP COLUMN leave_at_door;
  `);
};
