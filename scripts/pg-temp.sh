#!/usr/bin/env bash
# A throwaway PostgreSQL from Debian's binaries, for tests and benchmarks:
# initdb + pg_ctl into a fresh temporary folder (owned by `postgres` when we
# are root: initdb refuses to run as root), on a free loopback port, with its
# unix socket inside the folder. Installs the `postgresql` package if missing.
#
#   scripts/pg-temp.sh start [OWNER_PID]  prints "DIR URL"; with OWNER_PID the
#                                         cluster is removed once that process ends
#   scripts/pg-temp.sh stop DIR           stops the server, keeps the folder
#   scripts/pg-temp.sh resume DIR         starts it again on the same port
#   scripts/pg-temp.sh remove DIR         stops it and deletes the folder
#
# HEXWATCH_PG_FSYNC=on keeps fsync (benchmarks); tests run without it.
set -euo pipefail
cd "$(dirname "$0")/.."

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
bin=${HEXWATCH_PG_BIN:-$(find_bin)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  scripts/apt-install.sh pg_ctlcluster postgresql >&2 || true
  bin=$(find_bin)
  [ -x "$bin/initdb" ] || { echo "pg-temp: no PostgreSQL binaries found" >&2; exit 1; }
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

launch() { # DIR PORT
  as_pg "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=${HEXWATCH_PG_FSYNC:-off} -c max_connections=300 -c shared_buffers=256MB" \
    start >/dev/null
}

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/hexwatch-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  for _ in $(seq 20); do
    port=$(( (RANDOM % 30000) + 20000 ))
    if launch "$dir" "$port" 2>>"$dir/start.log"; then
      echo "$port" >"$dir/port"
      if [ -n "${2:-}" ]; then
        owner=$2
        ( trap '' HUP; while kill -0 "$owner" 2>/dev/null; do sleep 1; done
          "$0" remove "$dir" ) >/dev/null 2>&1 </dev/null &
      fi
      echo "$dir postgres://postgres@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  echo "pg-temp: could not start PostgreSQL; see $dir/server.log" >&2
  exit 1
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
  ;;
resume)
  launch "$2" "$(cat "$2/port")"
  ;;
remove)
  [ -d "$2/data" ] || exit 0
  as_pg "$bin/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$2"
  ;;
*)
  echo "usage: $0 start [OWNER_PID] | stop DIR | resume DIR | remove DIR" >&2
  exit 2
  ;;
esac
