#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (real SQLite, real server
# processes and sockets), then the independent Python reference suite (the
# `h3` package as the oracle for cells and counts) against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --bin hexwatch
cargo test --locked --all-targets

venv=$(scripts/py-env.sh)
HEXWATCH_BIN="$PWD/target/debug/hexwatch" "$venv/bin/pytest" tests/py -q
