#!/usr/bin/env bash
# Installs the Debian packages desync builds and runs with; with --test, also
# what the tests need (PostgreSQL server, Java and a Spark Connect server from
# PyPI, Chromium). Safe to run again. The Swift 6.3 toolchain itself must
# already be on PATH.
set -euo pipefail
full=0
[ "${1:-}" = "--test" ] && full=1
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)

packages=(
    libsqlite3-dev      # the embedded store
    libpq-dev           # PostgreSQL client library
    libssl-dev          # libcrypto: SHA-256 of input files for the ledger
    libgrpc-dev         # gRPC core, for Spark Connect
)
if [ "$full" = 1 ]; then
    packages+=(
        postgresql python3 python3-venv                   # a throwaway server for the tests
        openjdk-17-jre-headless libpostgresql-jdbc-java   # Spark Connect server in tests
        chromium fonts-dejavu-core                        # renders the HTML report in tests
    )
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$full" = 1 ]; then
    # A Spark Connect server for the Spark engine's tests, from PyPI (tests
    # only: desync itself never loads Python).
    venv="${DESYNC_SPARK_VENV:-/tmp/sparkvenv}"
    if ! "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "pyspark[connect]==4.3.0"
    fi
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6.3 toolchain" >&2; exit 1; }
echo "setup: system packages ready" >&2
