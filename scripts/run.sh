#!/usr/bin/env bash
# Runs the server with its map page: installs the page's npm packages
# (MapLibre, pinned in web/package-lock.json) when missing, then
# `cargo run --release -- serve` with the given flags:
#
#   ./scripts/run.sh --demo
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/web-setup.sh web
exec cargo run --release -- serve "$@"
