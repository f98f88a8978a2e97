import type { MigrationFn } from '../db/migrator.js';

export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY,
      job_key text NOT NULL UNIQUE,
      delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      recipient_kind text NOT NULL CHECK (recipient_kind IN ('customer','driver','dispatcher')),
      recipient_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      channel text NOT NULL DEFAULT 'log' CHECK (channel IN ('log','email')),
      template text NOT NULL,
      message text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX notifications_recipient ON notifications (recipient_user_id, created_at DESC);
    CREATE INDEX notifications_delivery ON notifications (delivery_id, seq);
    CREATE INDEX notifications_recent ON notifications (created_at DESC);

    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY,
      owner_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      url text NOT NULL,
      events text[] NOT NULL CHECK (cardinality(events) > 0),
      description text,
      secret_ciphertext text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_user_id) WHERE active;

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      event_id text NOT NULL,
      event_type text NOT NULL,
      delivery_id uuid NOT NULL,
      seq integer NOT NULL,
      payload text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','dead')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      response_status integer,
      response_excerpt text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      dead_at timestamptz,
      UNIQUE (endpoint_id, event_id)
    );
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE webhook_deliveries; DROP TABLE webhook_endpoints; DROP TABLE notifications;');
};
