#!/usr/bin/env bash
# promcheck (peers/promcheck): Prometheus's own rule-file parser as a small program, so the alerting rules Lakegate
# ships (deploy/prometheus-alerts.yml) are checked as Prometheus would load them (issue 57; see the program's comment
# for why not promtool itself).
#
#   scripts/peers/promcheck.sh bin     ensure the binary; prints its path
#
# Built from peers/promcheck (its go.mod and go.sum pin Prometheus's modules) with the Go peers' environment
# (go_env: CGO_ENABLED=0, the shared build cache, GOGC=400) and GOTOOLCHAIN=local into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/promcheck-<hash of the module's files>/bin/promcheck, with its own module
# cache beside it, one build at a time (flock), skipped when the binary exists. A cold build downloads ~140 MB of
# modules and takes about 30 s (50 CPU-s) here; its time is written to promcheck-<hash>/build-seconds.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../peers/promcheck" && pwd)"
HASH="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-12)"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/promcheck-$HASH"
BIN="$PEER_HOME/bin/promcheck"

PEER=promcheck
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_bin() {
  [[ -x "$BIN" ]] && return 0
  go_build_lock
  if [[ ! -x "$BIN" ]]; then
    local started=$SECONDS tmp
    go_env
    tmp="$(mktemp -d "$PEER_HOME/bin.tmp.XXXXXX")"
    log "building peers/promcheck (cold: about a minute)"
    # -mod=readonly: the committed go.sum decides every module; nothing is resolved anew.
    if ! (cd "$SRC" && env "${GO_ENV[@]}" GOTOOLCHAIN=local go build -mod=readonly -o "$tmp/promcheck" . >&2); then
      rm -rf "$tmp"
      die "building peers/promcheck failed"
    fi
    mkdir -p "$(dirname "$BIN")"
    mv -f "$tmp/promcheck" "$BIN"
    rm -rf "$tmp"
    echo "$((SECONDS - started))" >"$PEER_HOME/build-seconds"
    log "built $BIN in $((SECONDS - started))s"
  fi
  exec 8>&-
}

case "${1:-}" in
  bin) shift; [[ $# -eq 0 ]] || usage; ensure_bin; echo "$BIN" ;;
  *) usage ;;
esac
