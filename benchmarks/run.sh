#!/usr/bin/env bash
# Benchmarks `desync run` against the peer jobs (Polars, DuckDB, PySpark) on
# the same files and the same PostgreSQL, and prints medians and ratios.
#
# usage: benchmarks/run.sh [--ticks N | --data DIR] [--runs N]
#                          [--peers polars,duckdb,pyspark] [--cores N]
#                          [--out DIR] [--no-sqlite]
#
#   --ticks N   generate a data set of N ticks (10 players per session)
#               into --out/data-GENERATOR-N; reused when already there.
#               Default 1000000.
#   --generator peers (default: ../shared/bench/gen_telemetry.py, which the
#               peers' figures were measured with) or desync (`desync
#               generate --profile notebook`; DuckDB's job rejects its
#               whole-second timestamps).
#   --data DIR  use the two JSON Lines files in DIR instead.
#   --runs N    runs per engine; medians are reported. Default 3.
#   --peers L   comma-separated peers to run; "" for none. Default
#               polars,duckdb,pyspark. They need the venv named by
#               PEERS_VENV (default /tmp/peers); see docs/PERFORMANCE.md.
#   --cores N   pin every engine and the PostgreSQL server to the first N
#               CPUs (taskset). Default: all.
#   --out DIR   where data, logs and results go. Default /tmp/desync-bench.
#
# It starts its own PostgreSQL on 127.0.0.1 (scripts/start-postgres.sh) with
# one database for desync and one per peer (the peers drop and recreate the
# contract tables), and stops it, by its data folder and PID, on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bench=${PEERS_BENCH:-/work/shared/bench}
venv=${PEERS_VENV:-/tmp/peers}

ticks=1000000
data=""
runs=3
peers="polars,duckdb,pyspark"
cores=""
out=/tmp/desync-bench
sqlite=1
generator=peers
while [ $# -gt 0 ]; do
    case "$1" in
        --ticks) ticks=$2; shift 2 ;;
        --data) data=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --peers) peers=$2; shift 2 ;;
        --cores) cores=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --generator) generator=$2; shift 2 ;;
        --no-sqlite) sqlite=0; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done

mkdir -p "$out"
pin=()
if [ -n "$cores" ]; then
    pin=(taskset -c "0-$((cores - 1))")
fi

echo "== building desync (release)" >&2
(cd "$root" && swift build -c release --product desync 2>&1 | tail -n 5) >&2
[ -x "$root/.build/release/desync" ] || { echo "run.sh: the release build failed" >&2; exit 1; }
desync="$root/.build/release/desync"

if [ -z "$data" ]; then
    data="$out/data-$generator-$ticks"
    if [ ! -s "$data/server_state.jsonl" ]; then
        echo "== generating $ticks ticks into $data ($generator generator)" >&2
        if [ "$generator" = peers ]; then
            # The generator the peers' published figures were measured with.
            "$venv/bin/python" "$bench/gen_telemetry.py" --out "$data" --ticks "$ticks" \
                --sessions $(( (ticks + 9999) / 10000 )) --players-per-session 10 >/dev/null
        else
            # 10 players per session and 1000 ticks per player, as many
            # sessions as it takes. DuckDB's job cannot read these: it wants
            # a fraction in every timestamp, and whole seconds have none.
            sessions=$(( (ticks + 9999) / 10000 ))
            "$desync" generate --out "$data" --profile notebook --sessions "$sessions" \
                --players 10 --ticks 1000 --quiet >/dev/null
        fi
    fi
fi

env_file="$out/pg.env"
data_dir=""
pg_pid=""
stop_pg() {
    if [ -n "$data_dir" ]; then
        "$root/scripts/stop-postgres.sh" "$data_dir" || true
        # stop-postgres.sh waits for the server; make sure the PID we
        # started is gone.
        if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
            kill "$pg_pid" 2>/dev/null || true
        fi
    fi
}
trap stop_pg EXIT
"$root/scripts/start-postgres.sh" "$env_file" 2>"$out/pg-start.log"
set -a; . "$env_file"; set +a
data_dir=$DESYNC_PG_DATA
pg_pid=$DESYNC_PG_PID
port=$(printf '%s' "$DESYNC_TEST_PG" | sed -E 's|.*:([0-9]+)/.*|\1|')
if [ -n "$cores" ]; then
    # The server's backends inherit the postmaster's CPU set.
    taskset -a -p -c "0-$((cores - 1))" "$pg_pid" >/dev/null
fi
psql_admin() {
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$DESYNC_PG_BIN/psql" -h "$DESYNC_PG_DATA" -p "$port" -U postgres -qAt "$@"
}
for db in bench_desync bench_polars bench_duckdb bench_pyspark; do
    psql_admin -c "CREATE DATABASE $db" >/dev/null
done

results="$out/results.jsonl"
: >"$results"
logs="$out/logs"
mkdir -p "$logs"

# Runs one command under /usr/bin/time -v; appends one JSON line to
# $results with the engine, the run, its wall seconds, peak RSS and the
# path of its output.
measure() {
    local engine=$1 run=$2
    shift 2
    local log="$logs/$engine-$run.out" timing="$logs/$engine-$run.time"
    echo "== $engine run $run" >&2
    local t0 t1
    t0=$(date +%s.%N)
    if ! "${pin[@]}" /usr/bin/time -v -o "$timing" "$@" >"$log" 2>"$log.err"; then
        echo "$engine run $run failed; see $log.err" >&2
        tail -n 20 "$log.err" >&2
        return 1
    fi
    t1=$(date +%s.%N)
    python3 - "$engine" "$run" "$t0" "$t1" "$timing" "$log" >>"$results" <<'EOF'
import json, sys
engine, run, t0, t1, timing, log = sys.argv[1:]
rss, cpu = 0, 0
for line in open(timing):
    if "Maximum resident set size" in line:
        rss = int(line.split(":")[1]) * 1024
    if "Percent of CPU this job got" in line:
        cpu = int(line.split(":")[1].strip().rstrip("%") or 0)
print(json.dumps({"engine": engine, "run": int(run), "wall": float(t1) - float(t0),
                  "rss": rss, "cpu_percent": cpu, "log": log}))
EOF
}

pg_uri() { printf 'postgresql://postgres@127.0.0.1:%s/%s' "$port" "$1"; }

for run in $(seq 1 "$runs"); do
    measure desync-pg "$run" "$desync" run --input "$data" --db "$(pg_uri bench_desync)" \
        --format json --quiet
    if [ "$sqlite" = 1 ]; then
        rm -f "$out/bench.db" "$out/bench.db-journal"
        measure desync-sqlite "$run" "$desync" run --input "$data" --db "sqlite:$out/bench.db" \
            --format json --quiet
    fi
    IFS=, read -ra peer_list <<<"$peers"
    for peer in "${peer_list[@]}"; do
        [ -z "$peer" ] && continue
        export ANCHORS_PGHOST=127.0.0.1 ANCHORS_PGPORT=$port ANCHORS_PGDATABASE=bench_$peer
        export ANCHORS_PGUSER=postgres ANCHORS_PGPASSWORD=$PGPASSWORD
        if [ "$peer" = pyspark ]; then
            SPARK_VENV=$venv measure "$peer" "$run" "$bench/run_pyspark.sh" "$data" || true
        else
            measure "$peer" "$run" "$venv/bin/python" "$bench/job_$peer.py" "$data" || true
        fi
    done
done

python3 "$here/compare.py" "$results" --data "$data" --cores "${cores:-$(nproc)}" \
    --json "$out/summary.json"
