#!/usr/bin/env bash
# Idempotent setup for `make run` / `make test` on Debian 12 (root, or a user with sudo):
# system packages from apt when missing, .venv with the Python dependencies when pyproject.toml
# changed, and the project-local PostGIS cluster unless a database URL is set
# (MACHI_OWNER_DATABASE_URL for migrations and admin commands, MACHI_DATABASE_URL for the app;
# with only MACHI_DATABASE_URL set it is the owner's too, as before row-level security).
# Usage: scripts/setup.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

run_pkgs=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting postgresql-client-15
          fonts-ipaexfont-gothic)
test_pkgs=(chromium poppler-utils zbar-tools libzbar0)

missing=()
wanted=("${run_pkgs[@]}")
if [ "$mode" = test ]; then wanted+=("${test_pkgs[@]}"); fi
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv python3-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing from apt: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

stamp_value=$(cat pyproject.toml | sha256sum | cut -c1-16)
stamp=.venv/.installed-$stamp_value
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python dependencies into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ -z "${MACHI_DATABASE_URL:-}" ] && [ -z "${MACHI_OWNER_DATABASE_URL:-}" ]; then
  .venv/bin/machi db up   # the local cluster, with the roles machi (owner) and machi_app
else
  .venv/bin/machi db status
fi
