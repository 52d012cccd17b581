#!/usr/bin/env bash
# End-to-end tests of the map page: Debian's chromium (installed with
# apt-get when missing and root), the npm packages of web/ and tests/e2e,
# then node's test runner drives a headless Chromium against a real
# `hexwatch serve --demo` (the debug binary, built if missing).
# Screenshots: target/e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "e2e: installing chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq chromium >&2
  else
    echo "e2e: chromium is missing and cannot be installed (not root)" >&2
    exit 1
  fi
fi
scripts/web-setup.sh web
scripts/web-setup.sh tests/e2e
cargo build --locked --bin hexwatch

(cd web && node --test test/)
(cd tests/e2e && HEXWATCH_BIN="$PWD/../../target/debug/hexwatch" CHROMIUM="$(command -v chromium)" \
  node --test --test-concurrency=1 map.test.mjs)
