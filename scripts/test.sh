#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (real SQLite, real server
# processes and sockets), then the independent Python reference suite (the
# `h3` package as the oracle for cells and counts; `mapbox-vector-tile` and
# GDAL's `ogrinfo` as independent decoders of the vector tiles) against the
# real binary; then the map page: its unit tests (node) and end-to-end tests
# in a real headless Chromium against the real server (scripts/e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# GDAL (Debian gdal-bin, ~17 s) reads the tiles in tests/py/test_tiles_gdal.py.
if ! command -v ogrinfo >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing gdal-bin for ogrinfo" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq gdal-bin >&2
  else
    echo "test.sh: ogrinfo missing and cannot apt-get install gdal-bin; GDAL tile tests will skip" >&2
  fi
fi

cargo build --locked --bin hexwatch
cargo test --locked --all-targets

venv=$(scripts/py-env.sh)
HEXWATCH_BIN="$PWD/target/debug/hexwatch" "$venv/bin/pytest" tests/py -q

scripts/e2e.sh
