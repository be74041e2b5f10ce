#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for the Lakegate test suite (Debian's postgresql, 15.x).
#
#   scripts/peers/postgres.sh start DIR PORT          init (if needed) and start; prints the URL of db "lakegate"
#   scripts/peers/postgres.sh stop DIR                fast shutdown (no-op when not running)
#   scripts/peers/postgres.sh createdb DIR PORT NAME  create database NAME (if missing); prints its URL
#
# Layout under DIR: data/ (PGDATA), socket/ (unix socket), postgres.log.
# The cluster listens on 127.0.0.1:PORT only, trusts local and 127.0.0.1 connections, and its
# superuser is "lakegate" (no password). It runs with fsync off: test data only.
# URLs look like postgres://lakegate@127.0.0.1:PORT/lakegate and are the last stdout line;
# all progress goes to stderr.
#
# PostgreSQL refuses to run as root, so when we are root the server side (initdb, pg_ctl) runs
# as the "postgres" system user, which then owns DIR. Missing binaries are installed with
# `apt-get install postgresql` (needs root). Env: PG_MAJOR (default 15; another installed major
# is used when 15 is absent), PG_START_TIMEOUT (seconds, default 60).
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
SUPERUSER=lakegate
RUN_AS=postgres

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# --- binaries -----------------------------------------------------------------------------

find_bindir() {
  local dir
  if [[ -x "/usr/lib/postgresql/$PG_MAJOR/bin/initdb" && -x "/usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl" ]]; then
    echo "/usr/lib/postgresql/$PG_MAJOR/bin"
    return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

ensure_installed() {
  if BIN="$(find_bindir)"; then
    return
  fi
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and we are not root: apt-get install postgresql"
  log "installing Debian's postgresql package"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
  BIN="$(find_bindir)" || die "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
}

# --- helpers ------------------------------------------------------------------------------

# Run a server-side command as the cluster owner (postgres when we are root). fd 9 (our lock)
# is closed so the postmaster that pg_ctl starts does not inherit it and hold it forever.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u "$RUN_AS" -- "$@") 9>&-
  else
    "$@" 9>&-
  fi
}

# When root: give the postgres user DIR, and make sure it can reach DIR through its parents
# (mktemp -d makes 0700 directories). Parents we own get o+x only: traverse, not list.
prepare_dir() {
  local dir="$1" parent
  mkdir -p "$dir"
  [[ $EUID -eq 0 ]] || return 0
  id "$RUN_AS" >/dev/null 2>&1 || die "system user '$RUN_AS' is missing (it comes with the postgresql package)"
  chown "$RUN_AS": "$dir"
  chmod 0700 "$dir"
  parent="$(dirname "$dir")"
  while [[ "$parent" != "/" ]]; do
    if ! runuser -u "$RUN_AS" -- test -x "$parent"; then
      [[ "$(stat -c %u "$parent")" == "0" ]] || die "user $RUN_AS cannot reach $parent"
      log "granting traverse (o+x) on $parent so $RUN_AS can reach $dir"
      chmod o+x "$parent"
    fi
    parent="$(dirname "$parent")"
  done
}

abs_dir() {
  [[ -n "$1" ]] || usage
  [[ -d "$1" ]] || die "no directory $1"
  (cd "$1" && pwd -P)
}

check_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )) || die "bad port: $1"
}

psql_admin() { # PORT SQL
  "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U "$SUPERUSER" -d postgres -tAc "$2"
}

is_running() { # PGDATA
  [[ -f "$1/postmaster.pid" ]] && as_owner "$BIN/pg_ctl" status -D "$1" >/dev/null 2>&1
}

running_port() { # PGDATA -> port from postmaster.pid (line 4)
  sed -n 4p "$1/postmaster.pid" 2>/dev/null || true
}

ensure_database() { # PORT NAME
  local port="$1" name="$2"
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name must be a plain identifier: $name"
  if [[ "$(psql_admin "$port" "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]]; then
    log "creating database $name"
    psql_admin "$port" "CREATE DATABASE \"$name\" OWNER \"$SUPERUSER\"" >&2
  fi
  echo "postgres://$SUPERUSER@127.0.0.1:$port/$name"
}

lock_dir() { # DIR: serialise concurrent calls on one cluster
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$1/.postgres.sh.lock"
    flock 9
  fi
}

# --- subcommands --------------------------------------------------------------------------

cmd_start() {
  local dir port data sock
  [[ $# -eq 2 ]] || usage
  ensure_installed
  mkdir -p "$1"
  dir="$(abs_dir "$1")"; port="$2"; check_port "$port"
  data="$dir/data"; sock="$dir/socket"
  prepare_dir "$dir"
  lock_dir "$dir"

  if [[ ! -f "$data/PG_VERSION" ]]; then
    log "initdb $data ($("$BIN/postgres" --version))"
    rm -rf "$data"
    as_owner mkdir -p "$data" "$sock"
    as_owner "$BIN/initdb" -D "$data" -U "$SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --no-instructions --no-sync >&2
    as_owner sh -c 'cat > "$1/pg_hba.conf"' _ "$data" <<'EOF'
# Throwaway test cluster: trust, loopback (127.0.0.1) and the private unix socket only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
EOF
    as_owner sh -c 'cat >> "$1/postgresql.conf"' _ "$data" <<EOF

# --- scripts/peers/postgres.sh: throwaway test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  fi

  if is_running "$data"; then
    if [[ "$(running_port "$data")" == "$port" ]]; then
      log "already running on 127.0.0.1:$port"
    else
      log "running on port $(running_port "$data"); restarting on $port"
      as_owner "$BIN/pg_ctl" stop -D "$data" -m fast -w >&2
    fi
  fi
  if ! is_running "$data"; then
    log "starting on 127.0.0.1:$port"
    if ! as_owner "$BIN/pg_ctl" start -D "$data" -l "$dir/postgres.log" -w -t "${PG_START_TIMEOUT:-60}" \
      -o "-p $port -h 127.0.0.1 -k $sock" >&2; then
      tail -n 20 "$dir/postgres.log" >&2 || true
      die "server did not start (log: $dir/postgres.log)"
    fi
  fi
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || die "server not accepting connections on 127.0.0.1:$port"
  ensure_database "$port" lakegate
}

cmd_stop() {
  local dir data
  [[ $# -eq 1 ]] || usage
  ensure_installed
  [[ -d "$1" ]] || { log "no directory $1: nothing to stop"; return 0; }
  dir="$(abs_dir "$1")"; data="$dir/data"
  lock_dir "$dir"
  if is_running "$data"; then
    log "stopping $data"
    as_owner "$BIN/pg_ctl" stop -D "$data" -m fast -w >&2
  else
    log "not running ($data)"
  fi
}

cmd_createdb() {
  local dir port
  [[ $# -eq 3 ]] || usage
  ensure_installed
  dir="$(abs_dir "$1")"; port="$2"; check_port "$port"
  [[ -f "$dir/data/PG_VERSION" ]] || die "no cluster in $dir: run '$0 start $dir $port' first"
  ensure_database "$port" "$3"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  createdb) shift; cmd_createdb "$@" ;;
  *) usage ;;
esac
