#!/usr/bin/env bash
# Debian's Chromium for the web console's browser tests (driven by npm playwright-core; a browser download by
# Playwright itself is not possible here).
#
#   scripts/peers/chromium.sh        ensure /usr/bin/chromium; prints its path
#
# Installs the `chromium` package (and a font, so screenshots have text) with apt-get when it is missing, which
# needs root; otherwise it fails and says what to install. Env: CHROMIUM (another binary to use).
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

BIN="${CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi
[[ "$(id -u)" == 0 ]] || die "$BIN is missing; install Debian's chromium package (apt-get install chromium) or set CHROMIUM"
log "installing Debian's chromium (apt-get)"
exec 9>/tmp/lakegate-chromium-install.lock
flock 9
if [[ ! -x "$BIN" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium fonts-dejavu-core >&2
fi
[[ -x "$BIN" ]] || die "apt-get did not install $BIN"
echo "$BIN"
