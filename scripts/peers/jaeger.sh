#!/usr/bin/env bash
# Jaeger (all-in-one, in-memory storage) for the tracing interop test: receives OTLP/HTTP, answers the query API.
#
#   scripts/peers/jaeger.sh bin                          ensure the jaeger binary; prints its path
#   scripts/peers/jaeger.sh start DIR OTLP_PORT QUERY_PORT QUERY_GRPC_PORT  start (or reuse) one; prints its query URL
#   scripts/peers/jaeger.sh stop DIR                     stop the server of DIR (no-op when not running)
#
# The binary is built from the Go module proxy (`go install github.com/jaegertracing/jaeger/cmd/jaeger@<pinned>`)
# with CGO_ENABLED=0 and GOTOOLCHAIN=local into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/jaeger-<version>/bin/jaeger;
# GOMODCACHE and GOCACHE live beside it, one build at a time (flock), skipped when the binary exists.
#
# start: the all-in-one (Jaeger v2, a collector) with in-memory storage (gone when it stops), log DIR/jaeger.log,
# pid DIR/jaeger.pid, listening on 127.0.0.1 only: OTLP/HTTP on OTLP_PORT (POST /v1/traces), the query API and UI
# on QUERY_PORT (GET /api/traces/{traceId}), the query gRPC API on QUERY_GRPC_PORT. Ready when /api/services answers.
# The URL of the query API is the last stdout line; progress goes to stderr. JAEGER_START_TIMEOUT (default 60 s).
set -euo pipefail

JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-v1.76.0}"
JAEGER_MODULE=github.com/jaegertracing/jaeger

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/jaeger-$JAEGER_MODULE_VERSION"
BIN="$PEER_HOME/bin/jaeger"

PEER=jaeger
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Jaeger's go.mod has a replace directive (github.com/Shopify/sarama => v1.33.0), so `go install pkg@version` refuses
# it: build it as a tool of a throwaway module that carries the same replace, once, under one lock.
ensure_bin() {
  [[ -x "$BIN" ]] && return 0
  go_build_lock
  if [[ ! -x "$BIN" ]]; then
    local mod="$PEER_HOME/buildmod" started=$SECONDS
    go_env
    local goenv=("${GO_ENV[@]}" GOTOOLCHAIN=local)
    rm -rf "$mod"; mkdir -p "$mod"
    log "building $JAEGER_MODULE/cmd/jaeger@$JAEGER_MODULE_VERSION (cold: ten minutes or more)"
    (cd "$mod" && env "${goenv[@]}" go mod init lakegate.local/jaeger-build >&2 &&
      env "${goenv[@]}" go mod edit -replace github.com/Shopify/sarama=github.com/Shopify/sarama@v1.33.0 >&2 &&
      env "${goenv[@]}" go get -tool "$JAEGER_MODULE/cmd/jaeger@$JAEGER_MODULE_VERSION" >&2 &&
      env "${goenv[@]}" go build -o "$mod/jaeger" "$JAEGER_MODULE/cmd/jaeger" >&2) ||
      die "building jaeger $JAEGER_MODULE_VERSION failed"
    mkdir -p "$(dirname "$BIN")"
    mv -f "$mod/jaeger" "$BIN"
    echo "$((SECONDS - started))" >"$PEER_HOME/build-seconds"
    log "built $BIN in $((SECONDS - started))s"
  fi
  exec 8>&-
}

# --- server -------------------------------------------------------------------------------

running_pid() { # DIR -> pid of its live jaeger, or nothing
  live_pid "$1/jaeger.pid" "jaeger --config"
}

is_ready() { # QUERY_PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/api/services" 2>/dev/null
}

# Jaeger v2 is an OpenTelemetry Collector: its default config (cmd/jaeger/config.yaml) listens on 4317/4318, 16686,
# 16685, 14250, 14268, 6831/6832, 9411, 5778/5779, 13133, 27777/27778 and 8888. This one opens only what the test
# uses, on 127.0.0.1: OTLP/HTTP, the query API (HTTP and its gRPC twin, which the query extension always starts),
# with in-memory storage, no self-tracing and no metrics endpoint.
write_config() { # FILE OTLP_PORT QUERY_PORT QUERY_GRPC_PORT
  cat >"$1" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$3
    grpc:
      endpoint: 127.0.0.1:$4
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$2
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

cmd_start() {
  local dir otlp query grpc pid
  [[ $# -eq 4 ]] || usage
  otlp="$2"; query="$3"; grpc="$4"
  check_port "$otlp"; check_port "$query"; check_port "$grpc"
  ensure_bin
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/jaeger.ports" "$otlp $query $grpc" "http://127.0.0.1:$query" is_ready "$query"; then return 0; fi
  write_config "$dir/jaeger.yaml" "$otlp" "$query" "$grpc"
  log "starting jaeger $JAEGER_MODULE_VERSION: OTLP/HTTP 127.0.0.1:$otlp, query 127.0.0.1:$query"
  setsid "$BIN" --config "$dir/jaeger.yaml" </dev/null >"$dir/jaeger.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/jaeger.pid"
  echo "$otlp $query $grpc" >"$dir/jaeger.ports"
  ready_or_die "$pid" "$dir/jaeger.log" "${JAEGER_START_TIMEOUT:-60}" "http://127.0.0.1:$query" is_ready "$query"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid jaeger.pid jaeger.ports
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; ensure_bin; echo "$BIN" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
