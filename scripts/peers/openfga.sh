#!/usr/bin/env bash
# OpenFGA (the authorization server behind Lakegate's `openfga` authorizer) for the test suite and benchmarks.
#
#   scripts/peers/openfga.sh bin                                       ensure the server binary; prints its path
#   scripts/peers/openfga.sh start DIR HTTP_PORT GRPC_PORT METRICS_PORT  start (or reuse) a server; prints its URL
#   scripts/peers/openfga.sh stop DIR                                  stop the server of DIR (no-op when not running)
#
# The binary is built from the Go module proxy (`go install github.com/openfga/openfga/cmd/openfga@<pinned>`,
# whose go.mod has no replace directives) with CGO_ENABLED=0 and GOTOOLCHAIN=local into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/openfga-<version>/bin/openfga; GOMODCACHE and GOCACHE live beside it,
# one build at a time (flock), and the build is skipped when the binary exists. A cold build takes a few minutes
# (measured: see docs/benchmarks-authz.md).
#
# start: one server with the in-memory datastore (everything is gone when it stops), log DIR/openfga.log and pid
# DIR/openfga.pid, listening on 127.0.0.1 only: HTTP API on HTTP_PORT, gRPC on GRPC_PORT, Prometheus metrics on
# METRICS_PORT (the benchmark counts requests there). No playground. Options from the environment:
#   OPENFGA_PRESHARED_KEY               require this bearer token (authn method "preshared"); default: no authn
#   OPENFGA_MAX_CHECKS_PER_BATCH_CHECK  items one BatchCheck may carry (OpenFGA's default: 50)
#   OPENFGA_START_TIMEOUT               seconds to wait for /healthz (default 60)
# The URL (http://127.0.0.1:HTTP_PORT) is the last stdout line; all progress goes to stderr. A server of DIR
# already running on HTTP_PORT is reused.
set -euo pipefail

# v1.22.1 (2026-10-28), the newest release the proxy serves. Its go.mod says `go 1.26.0`, which the local
# toolchain satisfies; GOTOOLCHAIN=local keeps its `toolchain` line from fetching another Go.
OPENFGA_MODULE_VERSION="${OPENFGA_MODULE_VERSION:-v1.22.1}"
OPENFGA_MODULE=github.com/openfga/openfga

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/openfga-$OPENFGA_MODULE_VERSION"
BIN="$PEER_HOME/bin/openfga"

PEER=openfga
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- binary -------------------------------------------------------------------------------

ensure_bin() {
  # GOTOOLCHAIN=local: the module's `toolchain` line must not fetch another Go.
  go_build_bin "$OPENFGA_MODULE/cmd/openfga@$OPENFGA_MODULE_VERSION" GOTOOLCHAIN=local
}

# --- server -------------------------------------------------------------------------------

running_pid() { # DIR -> pid of its live openfga server, or nothing
  live_pid "$1/openfga.pid" "openfga run"
}

is_ready() { # PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null
}

cmd_start() {
  local dir http grpc metrics pid
  [[ $# -eq 4 ]] || usage
  http="$2"; grpc="$3"; metrics="$4"
  check_port "$http"; check_port "$grpc"; check_port "$metrics"
  [[ "$http" != "$grpc" && "$http" != "$metrics" && "$grpc" != "$metrics" ]] || die "the three ports must differ"
  ensure_bin
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"

  if reuse_running "$dir" "$dir/openfga.port" "$http" "http://127.0.0.1:$http" is_ready "$http"; then return 0; fi

  local args=(run --datastore-engine memory
    --http-addr "127.0.0.1:$http" --grpc-addr "127.0.0.1:$grpc"
    --metrics-enabled=true --metrics-addr "127.0.0.1:$metrics" --datastore-metrics-enabled=true
    --playground-enabled=false --log-format json --log-level warn
    --max-checks-per-batch-check "${OPENFGA_MAX_CHECKS_PER_BATCH_CHECK:-50}")
  if [[ -n "${OPENFGA_PRESHARED_KEY:-}" ]]; then
    # Through the environment, not argv: the key must not show in `ps`.
    export OPENFGA_AUTHN_METHOD=preshared OPENFGA_AUTHN_PRESHARED_KEYS="$OPENFGA_PRESHARED_KEY"
  fi
  unset OPENFGA_PRESHARED_KEY
  log "starting openfga $OPENFGA_MODULE_VERSION on 127.0.0.1:$http (gRPC $grpc, metrics $metrics)"
  # setsid: the server outlives this script; 9>&-: it must not inherit (and hold) our lock.
  setsid "$BIN" "${args[@]}" </dev/null >"$dir/openfga.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/openfga.pid"
  echo "$http" >"$dir/openfga.port"

  ready_or_die "$pid" "$dir/openfga.log" "${OPENFGA_START_TIMEOUT:-60}" "http://127.0.0.1:$http" is_ready "$http"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid openfga.pid openfga.port
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; ensure_bin; echo "$BIN" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
