#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for tests: its own data folder in a
# temporary directory, listening on 127.0.0.1 only, on a free port, with
# password authentication over TCP.
#
# Prints shell assignments for the tests to `eval` (or writes them to the
# file given as $1): DESYNC_TEST_PG (the connection URI without a password),
# PGPASSWORD, DESYNC_PG_DATA, DESYNC_PG_PID.
# Stop it with scripts/stop-postgres.sh "$DESYNC_PG_DATA".
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "start-postgres: no PostgreSQL server found; install it: apt-get install -y postgresql" >&2
    exit 69
fi

data=$(mktemp -d /tmp/desync-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
password="desync-test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

# PostgreSQL refuses to run as root; run it as the postgres system user
# when we are root.
as_pg=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$data"
    as_pg=(runuser -u postgres --)
fi

printf '%s\n' "$password" > "$data/.pw"
chmod 600 "$data/.pw"
[ "${#as_pg[@]}" -gt 0 ] && chown postgres "$data/.pw"
"${as_pg[@]}" "$bin/initdb" -D "$data/db" -U postgres --pwfile="$data/.pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; exit 69; }
rm -f "$data/.pw"

"${as_pg[@]}" "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=50" start >/dev/null \
    || { cat "$data/server.log" >&2; exit 69; }
pid=$(head -n 1 "$data/db/postmaster.pid")

"${as_pg[@]}" "$bin/psql" -h "$data" -p "$port" -U postgres -qAt \
    -c "CREATE DATABASE desync_test" >/dev/null

out="DESYNC_TEST_PG='postgresql://postgres@127.0.0.1:$port/desync_test'
PGPASSWORD='$password'
DESYNC_PG_DATA='$data'
DESYNC_PG_PID='$pid'
DESYNC_PG_BIN='$bin'"
if [ $# -ge 1 ]; then
    printf '%s\n' "$out" > "$1"
else
    printf '%s\n' "$out"
fi
echo "start-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $pid, data $data)" >&2
