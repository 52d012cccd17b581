#!/usr/bin/env bash
# Creates (idempotently) the Python virtual environment for the reference
# test suite in tests/py, installs tests/py/requirements.txt into it, and
# prints the environment's path on stdout (everything else goes to stderr):
#
#   venv=$(scripts/py-env.sh) && "$venv/bin/pytest" tests/py -q
#
# PYTHON picks the interpreter (default python3); HEXWATCH_VENV the folder
# (default .venv at the repository root). When `python3 -m venv` cannot work
# (Debian without python3-venv: no ensurepip), it installs python3-venv with
# apt-get when run as root, else falls back to `pip install --user virtualenv`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HEXWATCH_VENV:-$root/.venv}"
req="$root/tests/py/requirements.txt"
py="${PYTHON:-python3}"
stamp="$venv/.hexwatch-requirements"

log() { echo "py-env: $*" >&2; }

command -v "$py" >/dev/null || { log "$py not found"; exit 1; }
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

want=$( { cat "$req"; echo "python $("$py" -c 'import sys; print(sys.version)')"; } | sha256sum | cut -d' ' -f1)

venv_ok() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pip' >/dev/null 2>&1
}

try_venv() {
  rm -rf "$venv"
  "$py" -m venv "$venv" >&2 2>&1 && venv_ok
}

create() {
  log "creating $venv with $py ($pyver)"
  try_venv && return 0
  log "'$py -m venv' failed (no ensurepip / python3-venv?)"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing python${pyver}-venv with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >&2 && apt-get install -y -qq "python${pyver}-venv" >&2; then
      try_venv && return 0
    fi
  fi
  log "falling back to virtualenv from PyPI (pip install --user)"
  rm -rf "$venv"
  local brk=()
  "$py" -m pip install --help 2>/dev/null | grep -q -- --break-system-packages && brk=(--break-system-packages)
  "$py" -m pip install --user -q --disable-pip-version-check "${brk[@]}" virtualenv >&2
  "$py" -m virtualenv -q "$venv" >&2
  venv_ok || { log "could not create a virtual environment at $venv"; exit 1; }
}

if ! venv_ok || [ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$pyver" ]; then
  create
fi

if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  log "installing $(basename "$req") into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
fi

echo "$venv"
