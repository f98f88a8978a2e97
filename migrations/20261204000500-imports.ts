import type { MigrationFn } from '../db/migrator.js';

export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE imports (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id),
      organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done')),
      total integer NOT NULL,
      created integer NOT NULL DEFAULT 0,
      duplicates integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX imports_owner ON imports (organization_id, user_id, created_at DESC);
    CREATE TABLE import_rows (
      import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
      line integer NOT NULL,
      reference text,
      delivery_id uuid,
      body jsonb,
      status text NOT NULL CHECK (status IN ('pending','created','duplicate','failed')),
      errors jsonb,
      PRIMARY KEY (import_id, line)
    );
    CREATE INDEX import_rows_pending ON import_rows (import_id, line) WHERE status = 'pending';
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query('DROP TABLE import_rows; DROP TABLE imports;');
};
