#!/usr/bin/env bash
# A stock Open Policy Agent server: the reference Lakegate's Trino OPA decision endpoints (issue 54) are measured
# against in bench/trino-opa.mjs (not needed by any test, so not fetched by prefetch.sh).
#
#   scripts/peers/opa.sh bin                       ensure the server binary; prints its path
#   scripts/peers/opa.sh start DIR PORT [FILE...]  start (or reuse) a server loading FILEs (Rego, data JSON); prints its URL
#   scripts/peers/opa.sh stop DIR                  stop the server of DIR (no-op when not running)
#
# The binary is built from the Go module proxy (`go install github.com/open-policy-agent/opa@<pinned>`) with
# CGO_ENABLED=0 and GOTOOLCHAIN=local into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/opa-<version>/bin/opa;
# GOMODCACHE and GOCACHE live beside it, one build at a time (flock), skipped when the binary exists. A cold build
# takes a few minutes (its time is written to opa-<version>/build-seconds).
#
# start: `opa run --server` on 127.0.0.1:PORT only, with the FILEs (copied into DIR/policy, so a later edit of the
# originals does not change a running server), no decision log, no telemetry, log DIR/opa.log, pid DIR/opa.pid.
# OPA_START_TIMEOUT seconds (default 60) for GET /health. The URL (http://127.0.0.1:PORT) is the last stdout line;
# all progress goes to stderr. A server of DIR already running on PORT is reused.
set -euo pipefail

OPA_MODULE_VERSION="${OPA_MODULE_VERSION:-v1.22.3}"
OPA_MODULE=github.com/open-policy-agent/opa

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/opa-$OPA_MODULE_VERSION"
BIN="$PEER_HOME/bin/opa"

PEER=opa
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- binary -------------------------------------------------------------------------------

ensure_bin() {
  # GOTOOLCHAIN=local: the module's `toolchain` line must not fetch another Go.
  go_build_bin "$OPA_MODULE@$OPA_MODULE_VERSION" GOTOOLCHAIN=local
}

# --- server -------------------------------------------------------------------------------

running_pid() { # DIR -> pid of its live opa server, or nothing
  live_pid "$1/opa.pid" "opa run"
}

is_ready() { # PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health" 2>/dev/null
}

cmd_start() {
  local dir port pid f
  [[ $# -ge 2 ]] || usage
  port="$2"
  check_port "$port"
  ensure_bin
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"

  if reuse_running "$dir" "$dir/opa.port" "$port" "http://127.0.0.1:$port" is_ready "$port"; then return 0; fi

  rm -rf "$dir/policy"
  mkdir -p "$dir/policy"
  for f in "${@:3}"; do cp "$f" "$dir/policy/"; done
  log "starting opa $OPA_MODULE_VERSION on 127.0.0.1:$port"
  # setsid: the server outlives this script; 9>&-: it must not inherit (and hold) our lock.
  setsid "$BIN" run --server --addr "127.0.0.1:$port" --disable-telemetry --log-level error \
    "$dir/policy" </dev/null >"$dir/opa.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/opa.pid"
  echo "$port" >"$dir/opa.port"

  ready_or_die "$pid" "$dir/opa.log" "${OPA_START_TIMEOUT:-60}" "http://127.0.0.1:$port" is_ready "$port"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid opa.pid opa.port
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; ensure_bin; echo "$BIN" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
