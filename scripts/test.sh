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
scripts/apt-install.sh ogrinfo gdal-bin ||
  echo "test.sh: without ogrinfo the GDAL tile tests will skip" >&2

# wrk (Debian, seconds) floods the server in tests/load.rs.
scripts/apt-install.sh wrk wrk ||
  echo "test.sh: without wrk the load test will skip" >&2

cargo build --locked --bin hexwatch
cargo test --locked --all-targets

venv=$(scripts/py-env.sh)
HEXWATCH_BIN="$PWD/target/debug/hexwatch" "$venv/bin/pytest" tests/py -q

scripts/e2e.sh
