#!/usr/bin/env bash
# Stops a server started by start-postgres.sh and removes its data folder.
# Usage: scripts/stop-postgres.sh DATA_FOLDER
set -uo pipefail
data=${1:?usage: stop-postgres.sh DATA_FOLDER}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
"${as_pg[@]}" "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null 2>&1
case "$data" in
    /tmp/desync-pg.*) rm -rf "$data" ;;
esac
