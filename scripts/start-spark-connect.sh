#!/usr/bin/env bash
# Start a local Spark Connect server on 127.0.0.1 for desync's Spark engine and
# its integration tests.
#
# The server runs as a plain `spark-submit` JVM (not the sbin daemon wrapper),
# so its process id is known: the script writes it to the pid file, waits for
# "Spark Connect server started", prints the remote URL and exits, leaving the
# server running. Stop it with: kill "$(cat PIDFILE)".
#
# usage: scripts/start-spark-connect.sh [--port N] [--pid-file F] [--log F]
#                                       [--timeout SECONDS] [--env-file F]
#
# Spark comes from, in order: $SPARK_HOME, the pyspark in $DESYNC_SPARK_VENV
# (a venv made with `pip install "pyspark[connect]==4.3.0"`), /tmp/sparkvenv.
# The PostgreSQL JDBC driver defaults to Debian's libpostgresql-jdbc-java
# (/usr/share/java/postgresql.jar); override with $DESYNC_JDBC_JAR.
#
# On success the last line of stdout is `DESYNC_SPARK_REMOTE=sc://127.0.0.1:N`;
# with --env-file the same line (and DESYNC_SPARK_PID=...) is written there.
set -euo pipefail

port=""
pid_file=""
log_file=""
env_file=""
timeout=120

while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --pid-file) pid_file="$2"; shift 2 ;;
        --log) log_file="$2"; shift 2 ;;
        --env-file) env_file="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "start-spark-connect: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "start-spark-connect: $*" >&2; exit 1; }

# --- locate Spark
venv="${DESYNC_SPARK_VENV:-/tmp/sparkvenv}"
if [ -z "${SPARK_HOME:-}" ]; then
    [ -x "$venv/bin/python" ] || fail "no SPARK_HOME and no venv at $venv;" \
        "create one: python3 -m venv $venv && $venv/bin/pip install 'pyspark[connect]==4.3.0'"
    SPARK_HOME="$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
    export PATH="$venv/bin:$PATH"
fi
export SPARK_HOME
[ -x "$SPARK_HOME/bin/spark-submit" ] || fail "no spark-submit under SPARK_HOME=$SPARK_HOME"
command -v java >/dev/null || fail "java not found; install openjdk-17-jre-headless"

jar="${DESYNC_JDBC_JAR:-/usr/share/java/postgresql.jar}"
[ -r "$jar" ] || fail "PostgreSQL JDBC driver not found at $jar; install libpostgresql-jdbc-java"

# --- pick a free loopback port unless one was given
if [ -z "$port" ]; then
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/desync-spark.XXXXXX")"
[ -n "$pid_file" ] || pid_file="$work/spark-connect.pid"
[ -n "$log_file" ] || log_file="$work/spark-connect.log"

# --- start the server in the background of this script, detached from it
export SPARK_LOCAL_IP=127.0.0.1
cd "$work"
nohup setsid "$SPARK_HOME/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --name desync-spark-connect \
    --master 'local[2]' \
    --jars "$jar" \
    --driver-memory "${DESYNC_SPARK_DRIVER_MEMORY:-2g}" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf "spark.connect.grpc.binding.port=$port" \
    --conf spark.connect.grpc.maxInboundMessageSize=134217728 \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.driver.extraJavaOptions=-Duser.timezone=UTC \
    --conf "spark.sql.warehouse.dir=$work/warehouse" \
    --conf "spark.local.dir=$work/tmp" \
    >"$log_file" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pid_file"
echo "start-spark-connect: pid $pid, port $port, log $log_file, pid file $pid_file" >&2

# --- wait until it answers
deadline=$((SECONDS + timeout))
until grep -q "Spark Connect server started" "$log_file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 30 "$log_file" >&2 || true
        fail "the server exited before it was ready (log above: $log_file)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        kill "$pid" 2>/dev/null || true
        tail -n 30 "$log_file" >&2 || true
        fail "not ready after ${timeout}s; stopped pid $pid (log: $log_file)"
    fi
    sleep 1
done

if [ -n "$env_file" ]; then
    printf 'DESYNC_SPARK_REMOTE=sc://127.0.0.1:%s\nDESYNC_SPARK_PID=%s\n' "$port" "$pid" \
        >"$env_file"
fi
echo "DESYNC_SPARK_REMOTE=sc://127.0.0.1:$port"
