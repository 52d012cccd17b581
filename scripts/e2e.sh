#!/usr/bin/env bash
# End-to-end tests of the map page: Debian's chromium (installed with
# apt-get when missing and root), the npm packages of web/ and tests/e2e,
# then node's test runner drives a headless Chromium against a real
# `hexwatch serve --demo` (the debug binary, built if missing).
# Screenshots: target/e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/apt-install.sh chromium chromium
scripts/web-setup.sh web
scripts/web-setup.sh tests/e2e
cargo build --locked --bin hexwatch

(cd web && node --test test/)
(cd tests/e2e && HEXWATCH_BIN="$PWD/../../target/debug/hexwatch" CHROMIUM="$(command -v chromium)" \
  node --test --test-concurrency=1 map.test.mjs login.test.mjs resolution.test.mjs)
