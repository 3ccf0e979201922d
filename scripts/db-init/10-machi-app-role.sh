#!/usr/bin/env bash
# PostgreSQL image init (docker-compose.yml mounts this into /docker-entrypoint-initdb.d; it
# runs once, on an empty data volume): machi_app, the role the app and the worker connect as.
# It owns nothing and does not bypass row-level security; `machi migrate`, run as the owner
# (POSTGRES_USER), grants it the tables. Its password is POSTGRES_APP_PASSWORD.
set -euo pipefail
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD, the password of machi_app, in .env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'EOSQL'
CREATE ROLE machi_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
  PASSWORD :'app_password';
EOSQL
