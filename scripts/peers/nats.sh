#!/usr/bin/env bash
# NATS server with JetStream for the event-sink interop tests.
#
#   scripts/peers/nats.sh bin              ensure the nats-server binary; prints its path
#   scripts/peers/nats.sh start DIR PORT   start (or reuse) the server of DIR; prints its URL (nats://127.0.0.1:PORT)
#   scripts/peers/nats.sh stop DIR         stop the server of DIR (its JetStream store stays: start resumes it)
#
# The binary is built from the Go module proxy (`go install github.com/nats-io/nats-server/v2@<pinned>`, its go.mod
# has no replace directive) with CGO_ENABLED=0 into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/nats-<version>/bin/nats-server;
# GOMODCACHE and GOCACHE live beside it, one build at a time (flock), skipped when the binary exists.
#
# start: `nats-server -js -a 127.0.0.1 -p PORT -sd DIR/store` (client port only: no monitoring, cluster, leaf or
# websocket listener), plus `-c DIR/extra.conf` when the caller wrote one (e.g. an authorization block; the command
# line's listen address and store still win), log DIR/nats.log, pid DIR/nats.pid. A later start of the same DIR keeps the JetStream store,
# so a test can stop and restart the server and find every acknowledged message. Ready when the port accepts
# connections and the log says "Server is ready". NATS_START_TIMEOUT (default 30 s).
set -euo pipefail

NATS_VERSION="${NATS_VERSION:-v2.15.2}"

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/nats-$NATS_VERSION"
BIN="$PEER_HOME/bin/nats-server"

PEER=nats
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

running_pid() { # DIR -> pid of its live server, or nothing
  live_pid "$1/nats.pid" "$BIN -js"
}

is_ready() { # PORT LOGFILE
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && grep -q 'Server is ready' "$2"
}

cmd_start() {
  local dir port pid
  [[ $# -eq 2 ]] || usage
  port="$2"
  check_port "$port"
  go_build_bin "github.com/nats-io/nats-server/v2@$NATS_VERSION" GOTOOLCHAIN=local
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/nats.port" "$port" "nats://127.0.0.1:$port" is_ready "$port" "$dir/nats.log"; then return 0; fi
  mkdir -p "$dir/store"
  local -a extra=()
  [[ -f "$dir/extra.conf" ]] && extra=(-c "$dir/extra.conf")
  log "starting nats-server $NATS_VERSION (JetStream) on 127.0.0.1:$port"
  setsid "$BIN" -js -a 127.0.0.1 -p "$port" -sd "$dir/store" -n lakegate-test "${extra[@]}" </dev/null >"$dir/nats.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/nats.pid"
  echo "$port" >"$dir/nats.port"
  ready_or_die "$pid" "$dir/nats.log" "${NATS_START_TIMEOUT:-30}" "nats://127.0.0.1:$port" is_ready "$port" "$dir/nats.log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid nats.pid
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; go_build_bin "github.com/nats-io/nats-server/v2@$NATS_VERSION" GOTOOLCHAIN=local; echo "$BIN" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
