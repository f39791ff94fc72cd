#!/usr/bin/env bash
# Runs the whole test suite against real servers: a throwaway PostgreSQL
# (and a Spark Connect server where the Spark tests need one), both on
# 127.0.0.1, stopped again at the end whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

env_file=$(mktemp)
cleanup() {
    # shellcheck disable=SC1090
    . "$env_file" 2>/dev/null || true
    [ -n "${DESYNC_SPARK_PID:-}" ] && kill "$DESYNC_SPARK_PID" 2>/dev/null || true
    [ -n "${DESYNC_PG_DATA:-}" ] && scripts/stop-postgres.sh "$DESYNC_PG_DATA" || true
    rm -f "$env_file"
}
trap cleanup EXIT

scripts/start-postgres.sh "$env_file"
if [ -x scripts/start-spark-connect.sh ] && [ "${DESYNC_SKIP_SPARK:-0}" != 1 ]; then
    spark_env=$(mktemp)
    scripts/start-spark-connect.sh --env-file "$spark_env" >/dev/null
    cat "$spark_env" >> "$env_file"
    rm -f "$spark_env"
fi
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a

swift build --build-tests
swift test --skip-build "$@"
