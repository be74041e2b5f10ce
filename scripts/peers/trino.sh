#!/usr/bin/env bash
# Trino (a single-node coordinator with the Iceberg connector only) for the Lakegate test suite.
#
#   scripts/peers/trino.sh dist              ensure the cached, pruned server; prints its home
#   scripts/peers/trino.sh start DIR PORT    start a server (no catalogs: CREATE CATALOG adds them); prints its URL
#   scripts/peers/trino.sh stop DIR          stop the server of DIR and its OPA forwarder (no-op when not running)
#   scripts/peers/trino.sh opa               ensure the cached OPA access-control plugin; prints its directory
#   scripts/peers/trino.sh groups            ensure the cached file group provider's plugin; prints its directory
#
# opa: the OPA access-control plugin (access-control.name=opa) is published only inside the full
# io.trino:trino-server:$TRINO_VERSION tar.gz (about 821 MB on Maven Central). It is streamed once with
# curl (never stored whole), only */plugin/opa/ is extracted, and the stream's sha1 is checked against the
# one pinned below; the result is ${LAKEGATE_CACHE}/trino-<version>/opa-plugin/opa (about 15 MB; 18 s on this machine), under
# the same lock as the dist. A server starts with it only when DIR/etc/access-control.properties names
# it (opa): its plugin directory is then DIR/plugin, holding links to the Iceberg and OPA plugins.
#
# groups: Trino's file group provider (group-provider.name=file) is in the password-authenticators plugin, which is
# not published on its own either (io.trino:trino-password-authenticators:zip is a 404): it is streamed out of the
# same tarball the same way into ${LAKEGATE_CACHE}/trino-<version>/groups-plugin/password-authenticators (its own
# lock and stamp). A server links it into DIR/plugin when DIR/etc/group-provider.properties exists (Trino reads that
# file from its working directory, DIR).
#
# dist: io.trino:trino-server-core:$TRINO_VERSION:tar.gz and the io.trino:trino-iceberg plugin zip come
# from Maven Central through `mvn dependency:copy` (which checks Central's .sha1; the files are checked
# again against the sha1 pinned below) and are unpacked into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/trino-<version>/server, keeping only lib/, the Iceberg plugin
# (plugin/iceberg) and the keystore secrets plugin: the core tarball's other plugins (exchange and
# spooling file systems, Python functions, geospatial, password authenticators, resource-group and
# session-property managers) are dropped, so Trino loads one connector at start. Cold: about 540 MB of
# downloads. Preparation holds a lock, so concurrent first calls wait for one another.
#
# start: a coordinator that also schedules work on itself, with dynamic catalog management
# (catalog.management=dynamic, catalog.store=memory): it starts with no catalog, and each test file adds its own
# with CREATE CATALOG and drops them with DROP CATALOG (test/support/trino.ts), so one server serves file after
# file, each on its own Lakegate server; nothing of a catalog is written to disk. The script writes DIR/etc/config.properties and DIR/etc/log.properties and runs
# `java … io.trino.server.TrinoServer` (no launcher) in its own session, bound to 127.0.0.1:PORT only
# (node.bind-ip). No authentication: any client on this machine names its user with X-Trino-User; fine
# on this sandbox, never elsewhere. Ready when GET /v1/info answers "starting":false. Log:
# DIR/server.log, pid: DIR/trino.pid. The base URL is the last stdout line; progress goes to stderr.
#
# Env:
#   TRINO_JAVA_HOME        a JDK 24+ (Trino 476 refuses older ones). Default: Temurin 25 under
#                          /usr/lib/jvm, else the newest JDK 24+ there, else JAVA_HOME when it is 24+.
#                          None found: exit 1 with a message (never a silent skip).
#   TRINO_HEAP             -Xmx of the server (default 1G)
#   TRINO_START_TIMEOUT    seconds (default 240)
#   TRINO_JVM_OPTS_APPEND  extra JVM options
set -euo pipefail

TRINO_VERSION=476
# sha1 of the Maven Central files (the .sha1 Central publishes beside each).
CORE_SHA1=6bae2db438f8e6a2a8d9c8b566bb5e5b05870138
ICEBERG_SHA1=6a9841be7b21c71110a1efc3a98e5dd833b20a8e
# sha1 of io.trino:trino-server:476:tar.gz (Central's .sha1), for the OPA plugin only.
SERVER_SHA1=c9b38be4017ebd2f7095455aaac772fb40247ebe
SERVER_URL="https://repo1.maven.org/maven2/io/trino/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz"
MIN_JAVA=24

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/trino-$TRINO_VERSION"
DIST="$PEER_HOME/server"
STAMP="$PEER_HOME/.stamp-dist"
OPA_HOME="$PEER_HOME/opa-plugin"
OPA_STAMP="$PEER_HOME/.stamp-opa"
OPA_WANTED_STAMP="trino-server $TRINO_VERSION $SERVER_SHA1 plugin/opa"
GROUPS_HOME="$PEER_HOME/groups-plugin"
GROUPS_STAMP="$PEER_HOME/.stamp-groups"
GROUPS_WANTED_STAMP="trino-server $TRINO_VERSION $SERVER_SHA1 plugin/password-authenticators"
WANTED_STAMP="trino-server-core $TRINO_VERSION $CORE_SHA1
trino-iceberg $TRINO_VERSION $ICEBERG_SHA1
plugins: iceberg"

PEER=trino
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- Java ---------------------------------------------------------------------------------

find_java_home() { find_jdk TRINO_JAVA_HOME "$MIN_JAVA" temurin-25 newest java-home; }

# --- dist ---------------------------------------------------------------------------------

fetch() { # COORDINATE OUTDIR EXPECTED_SHA1 -> path of the file
  local coordinate="$1" out="$2" sha1="$3" file actual
  IFS=: read -r _ artifact version ext <<<"$coordinate"
  log "fetching $coordinate from Maven Central (mvn, local repo ~/.m2)"
  # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
  if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$coordinate" -DoutputDirectory="$out" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    die "mvn dependency:copy $coordinate failed"
  fi
  file="$out/$artifact-$version.$ext"
  [[ -f "$file" ]] || die "mvn did not produce $file"
  actual="$(sha1sum "$file" | cut -d' ' -f1)"
  [[ "$actual" == "$sha1" ]] || die "sha1 of $file is $actual, expected $sha1"
  echo "$file"
}

dist_ok() {
  [[ -f "$STAMP" && "$(<"$STAMP")" == "$WANTED_STAMP" && -d "$DIST/lib" && -d "$DIST/plugin/iceberg" ]]
}

ensure_dist() {
  dist_ok && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH"
  mkdir -p "$PEER_HOME"
  exec 8>"$PEER_HOME/.lock"
  flock 8
  if ! dist_ok; then
    local started=$SECONDS tmp core plugin
    rm -rf "$DIST" "$STAMP" "$PEER_HOME"/*.tmp.*
    tmp="$(mktemp -d "$PEER_HOME/download.tmp.XXXXXX")"
    core="$(fetch "io.trino:trino-server-core:$TRINO_VERSION:tar.gz" "$tmp" "$CORE_SHA1")"
    plugin="$(fetch "io.trino:trino-iceberg:$TRINO_VERSION:zip" "$tmp" "$ICEBERG_SHA1")"
    log "unpacking and pruning into $DIST (downloaded in $((SECONDS - started))s)"
    mkdir -p "$tmp/server"
    # Only lib/ and the secrets plugin of the core tarball: none of its plugins is needed here.
    tar -xzf "$core" -C "$tmp/server" --strip-components=1 \
      "trino-server-core-$TRINO_VERSION/lib" "trino-server-core-$TRINO_VERSION/secrets-plugin" \
      "trino-server-core-$TRINO_VERSION/NOTICE"
    mkdir -p "$tmp/server/plugin"
    (cd "$tmp" && unzip -q "$plugin" -d plugin-unpacked)
    mv "$tmp/plugin-unpacked/trino-iceberg-$TRINO_VERSION" "$tmp/server/plugin/iceberg"
    [[ -f "$tmp/server/lib/io.trino_trino-main-$TRINO_VERSION.jar" ]] || die "unexpected tarball layout: no lib/io.trino_trino-main-$TRINO_VERSION.jar"
    mv "$tmp/server" "$DIST"
    rm -rf "$tmp"
    printf '%s\n' "$WANTED_STAMP" >"$STAMP"
    log "dist ready in $((SECONDS - started))s: $DIST ($(du -sh "$DIST" | cut -f1))"
  fi
  exec 8>&-
}

plugin_ok() { # HOME PLUGIN STAMP WANTED_STAMP
  [[ -f "$3" && "$(<"$3")" == "$4" && -d "$1/$2" ]]
}

# Streams the full trino-server tarball once and keeps only its plugin/PLUGIN, as HOME/PLUGIN, under the lock
# PEER_HOME/.lock-KEY (temporary files PEER_HOME/KEY.tmp.*); STAMP holds WANTED_STAMP once it is ready. JAR, when
# given, is a glob of a jar the plugin must hold. LABEL names the plugin in the log.
ensure_server_plugin() { # KEY PLUGIN HOME STAMP WANTED_STAMP LABEL [JAR]
  local key="$1" plugin="$2" home="$3" stamp="$4" wanted="$5" label="$6" jar="${7:-}"
  plugin_ok "$home" "$plugin" "$stamp" "$wanted" && return 0
  command -v curl >/dev/null 2>&1 || die "curl not found on PATH"
  mkdir -p "$PEER_HOME"
  # (one descriptor for every plugin's lock: each is closed before this returns)
  exec 7>"$PEER_HOME/.lock-$key"
  flock 7
  if ! plugin_ok "$home" "$plugin" "$stamp" "$wanted"; then
    local started=$SECONDS tmp actual
    rm -rf "$home" "$stamp" "$PEER_HOME/$key".tmp.*
    tmp="$(mktemp -d "$PEER_HOME/$key.tmp.XXXXXX")"
    log "streaming $SERVER_URL (about 821 MB) and keeping only plugin/$plugin"
    # The stream goes through sha1sum (via tee) and tar at once: the tarball is never written to disk.
    # (tar must read the whole stream, so the sha1 covers every byte: no early exit on the last member.)
    # Most of the plugins' jars are hard links to lib/ in the tarball, so lib/ is extracted too (then dropped).
    curl -fsS --retry 3 "$SERVER_URL" |
      tee >(sha1sum | cut -d' ' -f1 >"$tmp/sha1") |
      tar -xzf - -C "$tmp" --wildcards "trino-server-$TRINO_VERSION/lib/*" "trino-server-$TRINO_VERSION/plugin/$plugin/*" ||
      die "download or extraction of $SERVER_URL failed"
    # (the process substitution may finish after tar: wait for its file)
    for _ in $(seq 1 50); do [[ -s "$tmp/sha1" ]] && break; sleep 0.2; done
    actual="$(cat "$tmp/sha1" 2>/dev/null || true)"
    [[ "$actual" == "$SERVER_SHA1" ]] || die "sha1 of the trino-server stream is ${actual:-missing}, expected $SERVER_SHA1"
    [[ -d "$tmp/trino-server-$TRINO_VERSION/plugin/$plugin" ]] || die "unexpected tarball layout: no plugin/$plugin"
    mkdir -p "$home"
    mv "$tmp/trino-server-$TRINO_VERSION/plugin/$plugin" "$home/$plugin"
    # shellcheck disable=SC2086 # JAR is a glob
    [[ -z "$jar" || -f "$(ls "$home/$plugin"/$jar 2>/dev/null | head -n1)" ]] || die "no $jar in plugin/$plugin"
    rm -rf "$tmp"
    printf '%s\n' "$wanted" >"$stamp"
    log "$label ready in $((SECONDS - started))s: $home/$plugin ($(du -sh "$home/$plugin" | cut -f1))"
  fi
  exec 7>&-
}

ensure_opa() { ensure_server_plugin opa opa "$OPA_HOME" "$OPA_STAMP" "$OPA_WANTED_STAMP" 'OPA plugin' 'io.trino_trino-opa-*.jar'; }

ensure_groups() {
  ensure_server_plugin groups password-authenticators "$GROUPS_HOME" "$GROUPS_STAMP" "$GROUPS_WANTED_STAMP" 'group provider plugin'
}

# --- server -------------------------------------------------------------------------------

# PID of a live server started for DIR, or nothing.
running_pid() { # DIR
  live_pid "$1/trino.pid" "-Dconfig=$1/etc/config.properties"
}

info_state() { # PORT -> "ready", "starting" or nothing
  local body
  body="$(curl -fsS --max-time 2 "http://127.0.0.1:$1/v1/info" 2>/dev/null || true)"
  case "$body" in
    *'"starting":false'*) echo ready ;;
    *'"starting":true'*) echo starting ;;
  esac
}

is_ready() { # PORT
  [[ "$(info_state "$1")" == ready ]]
}

# The plugin directory of a server: the dist's, or (when DIR/etc/access-control.properties names opa, or
# DIR/etc/group-provider.properties exists) DIR/plugin with links to the dist's Iceberg plugin and the cached OPA and
# group provider plugins it needs, so only the servers that use them load them.
plugin_dir() { # DIR
  local dir="$1" opa=0 groups=0
  grep -qs '^access-control.name=opa' "$dir/etc/access-control.properties" && opa=1
  [[ -f "$dir/etc/group-provider.properties" ]] && groups=1
  if (( opa || groups )); then
    rm -rf "$dir/plugin"
    mkdir -p "$dir/plugin"
    ln -s "$DIST/plugin/iceberg" "$dir/plugin/iceberg"
    if (( opa )); then ensure_opa; ln -s "$OPA_HOME/opa" "$dir/plugin/opa"; fi
    if (( groups )); then ensure_groups; ln -s "$GROUPS_HOME/password-authenticators" "$dir/plugin/password-authenticators"; fi
    echo "$dir/plugin"
  else
    echo "$DIST/plugin"
  fi
}

write_config() { # DIR PORT
  local dir="$1" port="$2"
  mkdir -p "$dir/data"
  cat >"$dir/etc/config.properties" <<EOF
node.environment=lakegate_test
node.id=lakegate-trino-$port
node.bind-ip=127.0.0.1
node.internal-address=127.0.0.1
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
plugin.dir=$(plugin_dir "$dir")
catalog.management=dynamic
catalog.store=memory
query.max-memory=256MB
query.max-memory-per-node=256MB
EOF
  cat >"$dir/etc/log.properties" <<EOF
io.trino=INFO
EOF
}

cmd_start() {
  local dir port pid i java_home started heap
  [[ $# -eq 2 ]] || usage
  port="$2"
  check_port "$port"
  java_home="$(find_java_home)"
  ensure_dist
  dir="$(abs_dir "$1")"
  lock_dir "$dir"

  pid="$(running_pid "$dir")"
  if [[ -n "$pid" ]]; then
    if [[ "$(cat "$dir/trino.port" 2>/dev/null || true)" == "$port" && "$(info_state "$port")" == ready ]]; then
      log "already running on 127.0.0.1:$port (pid $pid)"
      echo "http://127.0.0.1:$port"
      return 0
    fi
    log "running (pid $pid) on another port; restarting on $port"
    stop_pid "$pid"
  fi

  write_config "$dir" "$port"
  heap="${TRINO_HEAP:-1G}"
  started=$SECONDS
  log "starting Trino $TRINO_VERSION on 127.0.0.1:$port (heap $heap, $("$java_home/bin/java" -version 2>&1 | head -n1))"
  # C1 only (-XX:TieredStopAtLevel=1): on 2 cores the server starts in about 11 s instead of 17-20 s, and test
  # queries are too short to profit from C2. (A JDK 25 AOT cache was tried too: under a second gained, not kept.)
  # shellcheck disable=SC2086 # TRINO_JVM_OPTS_APPEND is a list of options
  (cd "$dir" && exec setsid "$java_home/bin/java" -server "-Xmx$heap" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -XX:-OmitStackTraceInFastThrow -XX:ReservedCodeCacheSize=256M -XX:+EnableDynamicAgentLoading \
    -Djdk.attach.allowAttachSelf=true -Djdk.nio.maxCachedBufferSize=2000000 -Dfile.encoding=UTF-8 \
    -XX:TieredStopAtLevel=1 \
    ${TRINO_JVM_OPTS_APPEND:-} \
    "-Dconfig=$dir/etc/config.properties" "-Dlog.levels-file=$dir/etc/log.properties" \
    -cp "$DIST/lib/*" io.trino.server.TrinoServer) </dev/null >"$dir/server.log" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$dir/trino.pid"
  echo "$port" >"$dir/trino.port"

  if wait_ready "$pid" "$dir/server.log" "${TRINO_START_TIMEOUT:-240}" is_ready "$port"; then
    check_loopback_only "$pid" || { stop_pid "$pid"; exit 1; }
    log "ready in $((SECONDS - started))s (pid $pid)"
    echo "http://127.0.0.1:$port"
    return 0
  fi
  stop_pid "$pid"
  die "not ready on 127.0.0.1:$port after ${TRINO_START_TIMEOUT:-240}s (log: $dir/server.log)"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid trino.pid trino.port
  # The OPA forwarder started with it (peers/trino/opa-forwarder.mjs), when there is one.
  local fwd
  fwd="$(cat "$1/opa-forwarder.pid" 2>/dev/null || true)"
  if [[ "$fwd" =~ ^[0-9]+$ ]] && grep -qs 'opa-forwarder.mjs' "/proc/$fwd/cmdline"; then kill "$fwd" 2>/dev/null || true; fi
  rm -f "$1/opa-forwarder.pid" "$1/opa-forwarder.port"
}

case "${1:-}" in
  dist) shift; [[ $# -eq 0 ]] || usage; find_java_home >/dev/null; ensure_dist; echo "$DIST" ;;
  opa) shift; [[ $# -eq 0 ]] || usage; ensure_opa; echo "$OPA_HOME/opa" ;;
  groups) shift; [[ $# -eq 0 ]] || usage; ensure_groups; echo "$GROUPS_HOME/password-authenticators" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
