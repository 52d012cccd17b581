#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (real SQLite, real server
# processes and sockets), then the independent Python reference suite (the
# `h3` package as the oracle for cells and counts; `mapbox-vector-tile` and
# GDAL's `ogrinfo` as independent decoders of the vector tiles) against the
# real binary; the integration and Python suites run twice, on SQLite and on a
# throwaway PostgreSQL (Debian's `postgresql`, installed when missing, started
# by scripts/pg-temp.sh); then the map page: its unit tests (node) and
# end-to-end tests in a real headless Chromium against the real server
# (scripts/e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# GDAL (Debian gdal-bin, ~17 s) reads the tiles in tests/py/test_tiles_gdal.py.
scripts/apt-install.sh ogrinfo gdal-bin ||
  echo "test.sh: without ogrinfo the GDAL tile tests will skip" >&2
# PostgreSQL's server binaries and psql, for the second run of the suites.
scripts/apt-install.sh pg_ctlcluster postgresql

pg=$(scripts/pg-temp.sh start $$)
pg_dir=${pg%% *}
trap 'scripts/pg-temp.sh remove "$pg_dir"' EXIT
export HEXWATCH_TEST_PG_URL=${pg#* }

# wrk (Debian, seconds) floods the server in tests/load.rs.
scripts/apt-install.sh wrk wrk ||
  echo "test.sh: without wrk the load test will skip" >&2

cargo build --locked --bin hexwatch
venv=$(scripts/py-env.sh)

echo "== SQLite =="
HEXWATCH_TEST_DB=sqlite cargo test --locked --all-targets
HEXWATCH_TEST_DB=sqlite HEXWATCH_BIN="$PWD/target/debug/hexwatch" "$venv/bin/pytest" tests/py -q

echo "== PostgreSQL =="
# The unit tests and tests/pg_*.rs (always PostgreSQL) do not depend
# on the backend choice: they ran above.
targets=()
for f in tests/*.rs; do
  n=$(basename "$f" .rs)
  case $n in pg_*) ;; *) targets+=(--test "$n") ;; esac
done
HEXWATCH_TEST_DB=postgres cargo test --locked "${targets[@]}"
HEXWATCH_TEST_DB=postgres HEXWATCH_BIN="$PWD/target/debug/hexwatch" "$venv/bin/pytest" tests/py -q

scripts/e2e.sh
