#!/usr/bin/env bash
# MinIO (S3 + an STS that enforces session policies) for the Lakegate test suite.
#
#   scripts/peers/minio.sh bin                          ensure the server binary; prints its path
#   scripts/peers/minio.sh start DIR PORT CONSOLE_PORT  start (or reuse) a server; prints its endpoint URL
#   scripts/peers/minio.sh stop DIR                     stop the server of DIR (no-op when not running)
#
# The binary is built from the Go module proxy (MinIO's release tags are not semver, so the module
# is pinned by pseudo-version) with CGO_ENABLED=0 into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/minio-<version>/bin/minio; GOMODCACHE and GOCACHE live
# beside it, and the build is skipped when the binary exists. A cold build takes several minutes.
#
# start: one single-drive server with its data in DIR/data, log DIR/minio.log and pid DIR/minio.pid,
# listening on 127.0.0.1:PORT (S3 and STS) and 127.0.0.1:CONSOLE_PORT (console) only. The root
# credentials come from MINIO_ROOT_USER / MINIO_ROOT_PASSWORD (defaults below: test values only).
# Region: MINIO_REGION (default us-east-1). Ready when GET /minio/health/ready answers 200
# (MINIO_START_TIMEOUT seconds, default 60). The URL (http://127.0.0.1:PORT) is the last stdout
# line; all progress goes to stderr. A server of DIR already running on PORT is reused.
set -euo pipefail

# RELEASE.2025-09-07T16-13-09Z (commit 07c3a429bfed). The proxy refuses the .info of
# RELEASE.2025-10-15T17-29-55Z (v0.0.0-20251015172955-9e49d5e7a648: "403 This module version is
# not available"), so the newest 2025 release it serves is pinned. Override with MINIO_MODULE_VERSION.
MINIO_MODULE_VERSION="${MINIO_MODULE_VERSION:-v0.0.0-20250907161309-07c3a429bfed}"
MINIO_MODULE=github.com/minio/minio

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/minio-$MINIO_MODULE_VERSION"
BIN="$PEER_HOME/bin/minio"

export MINIO_ROOT_USER="${MINIO_ROOT_USER:-lakegate-root}"
export MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-lakegate-root-test-password}"

PEER=minio
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- binary -------------------------------------------------------------------------------

ensure_bin() {
  go_build_bin "$MINIO_MODULE@$MINIO_MODULE_VERSION"
}

# --- server -------------------------------------------------------------------------------

running_pid() { # DIR -> pid of its live minio server (serving this DIR), or nothing
  live_pid "$1/minio.pid" "minio server $1/data "
}

is_ready() { # PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/minio/health/ready" 2>/dev/null
}

cmd_start() {
  local dir port console pid i
  [[ $# -eq 3 ]] || usage
  port="$2"; console="$3"
  check_port "$port"; check_port "$console"
  [[ "$port" != "$console" ]] || die "PORT and CONSOLE_PORT must differ"
  (( ${#MINIO_ROOT_PASSWORD} >= 8 )) || die "MINIO_ROOT_PASSWORD must have 8+ characters"
  ensure_bin
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"

  if reuse_running "$dir" "$dir/minio.port" "$port" "http://127.0.0.1:$port" is_ready "$port"; then return 0; fi

  mkdir -p "$dir/data"
  log "starting $("$BIN" --version 2>/dev/null | head -n1) on 127.0.0.1:$port (console 127.0.0.1:$console)"
  # setsid: the server outlives this script; 9>&-: it must not inherit (and hold) our lock.
  MINIO_REGION="${MINIO_REGION:-us-east-1}" MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
    setsid "$BIN" server "$dir/data" --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
    --quiet --anonymous </dev/null >"$dir/minio.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/minio.pid"
  echo "$port" >"$dir/minio.port"

  ready_or_die "$pid" "$dir/minio.log" "${MINIO_START_TIMEOUT:-60}" "http://127.0.0.1:$port" is_ready "$port"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid minio.pid minio.port
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; ensure_bin; echo "$BIN" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
