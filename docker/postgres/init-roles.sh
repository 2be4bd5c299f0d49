#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
# Two roles: lantern_owner owns the database and runs the migrations; lantern_app is what the web
# and worker processes connect as. It owns nothing, so it cannot TRUNCATE or ALTER the audit
# trail, nor disable its trigger; each migrate grants it row access (accounts/database_roles.py).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$LANTERN_DB_OWNER_PASSWORD" -v app_password="$LANTERN_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE lantern_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE lantern_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE lantern OWNER lantern_owner;
REVOKE ALL ON DATABASE lantern FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE lantern TO lantern_app;
-- The owner may already turn its tables' triggers off; this lets a bulk load run as the owner
-- (import_cases, generate_cases) skip the per-row foreign-key checks for its own batches and
-- check each row pointed at once instead (reporting/foreign_keys.py). Never the app's role:
-- it would let it bypass the audit trail's append-only trigger.
GRANT SET ON PARAMETER session_replication_role TO lantern_owner;
SQL
