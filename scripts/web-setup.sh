#!/usr/bin/env bash
# Installs the npm packages of a folder with a package-lock.json (default:
# web/, whose MapLibre the map page loads from web/node_modules) with
# `npm ci`, only when they are missing or the lock file changed. Installs
# Debian's nodejs and npm first when npm is missing and we are root.
#
#   scripts/web-setup.sh            # web/
#   scripts/web-setup.sh tests/e2e  # the end-to-end test driver
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$(cd "$root" && cd "${1:-web}" && pwd)"
stamp="$dir/node_modules/.hexwatch-lock"

log() { echo "web-setup: $*" >&2; }

[ -f "$dir/package-lock.json" ] || { log "no package-lock.json in $dir"; exit 1; }
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ -d "$dir/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
  exit 0
fi

"$root/scripts/apt-install.sh" npm nodejs npm

log "npm ci in $dir"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
echo "$want" > "$stamp"
