import type { MigrationFn } from '../db/migrator.js';

export const up: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    CREATE TABLE organizations (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE organization_members (
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner','member')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, user_id)
    );
    CREATE INDEX organization_members_user ON organization_members (user_id);
    CREATE TABLE organization_invites (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner','member')),
      token_hash text NOT NULL UNIQUE,
      invited_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX organization_invites_org ON organization_invites (organization_id, created_at DESC);
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
      key_hash text NOT NULL UNIQUE,
      key_hint text NOT NULL,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_keys_org ON api_keys (organization_id, created_at DESC);

    ALTER TABLE deliveries ADD COLUMN organization_id uuid REFERENCES organizations(id);
    ALTER TABLE deliveries ADD COLUMN client_reference text;
    CREATE INDEX deliveries_organization ON deliveries (organization_id, created_at DESC, id DESC) WHERE organization_id IS NOT NULL;
    ALTER TABLE webhook_endpoints ADD COLUMN organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE;
    CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id) WHERE active AND organization_id IS NOT NULL;
  `);
};

export const down: MigrationFn = async ({ context: qi }) => {
  await qi.sequelize.query(`
    ALTER TABLE webhook_endpoints DROP COLUMN organization_id;
    ALTER TABLE deliveries DROP COLUMN client_reference;
    ALTER TABLE deliveries DROP COLUMN organization_id;
    DROP TABLE api_keys; DROP TABLE organization_invites; DROP TABLE organization_members; DROP TABLE organizations;
  `);
};
