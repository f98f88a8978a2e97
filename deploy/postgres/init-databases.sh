#!/bin/sh
# Runs once, when the Postgres volume is first initialised: one role and database for the application,
# one role (allowed to create its two databases) for Temporal.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="$APP_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE logistics LOGIN PASSWORD :'app_password';
CREATE DATABASE logistics OWNER logistics;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
