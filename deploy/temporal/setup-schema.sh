#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two databases and brings their schemas to
# the server version. Safe to run on every `docker compose up`: existing databases are kept, and
# update-schema applies only the versions not yet applied.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT="${DB_PORT:-5432}"
SCHEMA=/etc/temporal/schema/postgresql/v12

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"; }

for db in temporal temporal_visibility; do
  sql --db "$db" create 2>/dev/null && echo "created database $db" || echo "database $db exists"
  # Fails harmlessly once the version table exists; update-schema below then does the real work.
  sql --db "$db" setup-schema -v 0.0 2>/dev/null || true
done
sql --db temporal update-schema -d "$SCHEMA/temporal/versioned"
sql --db temporal_visibility update-schema -d "$SCHEMA/visibility/versioned"
echo "Temporal schemas are up to date"
