#!/usr/bin/env bash
# Makes sure COMMAND exists, installing the Debian PACKAGES with apt-get when
# it is missing and we are root; exits 1 (saying so) when it cannot.
#
#   scripts/apt-install.sh chromium chromium
#   scripts/apt-install.sh npm nodejs npm
set -euo pipefail
cmd="$1"; shift
command -v "$cmd" >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "apt-install: installing $* for $cmd" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq "$@" >&2
  command -v "$cmd" >/dev/null && exit 0
fi
echo "apt-install: $cmd is missing and could not be installed (needs root and apt-get)" >&2
exit 1
