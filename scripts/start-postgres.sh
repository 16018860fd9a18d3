#!/usr/bin/env bash
# Starts a local PostgreSQL for the Network tests and benchmark, idempotently:
#   loopback only, port ${ZKPROVER_PG_PORT:-55432}, role/password/database zkprover.
# Prints the URL to use (also the tests' default):
#   postgres://zkprover:zkprover@127.0.0.1:55432/zkprover
# Installs Debian's postgresql package when it is missing. Data lives in ${ZKPROVER_PG_DIR:-/tmp/zkprover-pg}.
set -euo pipefail
PORT="${ZKPROVER_PG_PORT:-55432}"
DIR="${ZKPROVER_PG_DIR:-/tmp/zkprover-pg}"
URL="postgres://zkprover:zkprover@127.0.0.1:${PORT}/zkprover"

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! BIN="$(find_bin)"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  BIN="$(find_bin)"
fi

# Already running?
if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  echo "$URL"
  exit 0
fi

# initdb refuses to run as root: use the postgres system user (created by the package).
RUNAS=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  RUNAS=(runuser -u postgres --)
fi

mkdir -p "$DIR"
if [ "$(id -u)" = "0" ]; then chown postgres "$DIR"; fi
chmod 700 "$DIR"
if [ ! -f "$DIR/PG_VERSION" ]; then
  "${RUNAS[@]}" "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 >/dev/null
fi
"${RUNAS[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c max_connections=100" start >/dev/null

for _ in $(seq 1 60); do
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='zkprover'")" != "1" ]; then
  "${PSQL[@]}" -d postgres -c "CREATE ROLE zkprover LOGIN PASSWORD 'zkprover'"
fi
if [ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='zkprover'")" != "1" ]; then
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE zkprover OWNER zkprover"
fi
echo "$URL"
