#!/usr/bin/env bash
# HAProxy for the Lakegate multi-replica tests (Debian's haproxy package).
#
#   scripts/peers/haproxy.sh install    install Debian's haproxy when missing; prints the binary's path
#   scripts/peers/haproxy.sh check CFG  checks a configuration file (haproxy -c)
#
# The tests run the binary themselves, in the foreground (-db), with a copy of deploy/haproxy.cfg whose
# addresses point at their replicas (test/interop/replicas-proxy.test.ts). Installing needs root.
set -euo pipefail

log() { printf '[haproxy] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ensure_installed() {
  if command -v haproxy >/dev/null 2>&1; then return; fi
  [[ $EUID -eq 0 ]] || die "haproxy is not installed and we are not root: apt-get install haproxy"
  (
    # One installer at a time: parallel test files may all ask.
    exec 9>/tmp/.lakegate-haproxy-install.lock
    flock 9
    if ! command -v haproxy >/dev/null 2>&1; then
      log "installing Debian's haproxy package"
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy >&2
    fi
  )
  command -v haproxy >/dev/null 2>&1 || die "haproxy installed but not on PATH"
}

case "${1:-}" in
  install)
    ensure_installed
    command -v haproxy
    ;;
  check)
    [[ -n "${2:-}" ]] || usage
    ensure_installed
    haproxy -c -f "$2" >&2
    ;;
  *) usage ;;
esac
