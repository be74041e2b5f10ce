#!/usr/bin/env bash
# Keycloak (a real OpenID Connect IdP with RFC 8693 token exchange) for the Lakegate test suite.
#
#   scripts/peers/keycloak.sh dist                          ensure the cached, pre-built dist; prints its home
#   scripts/peers/keycloak.sh start DIR HTTP_PORT MGMT_PORT start (or reuse) a server; prints its base URL
#   scripts/peers/keycloak.sh stop DIR                      stop the server of DIR (no-op when not running)
#
# dist: org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip comes from Maven Central through
# `mvn dependency:copy` (sha1 checked), is unpacked into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/keycloak-<version>/keycloak-<version>, and is started once
# in dev mode with the build options below. That one run (a) re-augments the Quarkus app for the dev
# profile and those options, so later `start-dev` runs skip the ~50 s build, and (b) creates the
# dev-file H2 database (schema, master realm, bootstrap admin), kept as a template, so later starts
# skip the ~40 s schema creation. With JDK 25+, one more start and stop trains a JDK AOT cache
# (-XX:AOTCacheOutput; about 175 MB) that later servers use (-XX:AOTCache), cutting a warm start by a
# third. Cold: download (177 MB) + about four minutes on 2 busy cores. Preparation holds a lock, so
# concurrent first calls wait for one another.
#
# start: DIR/home is a light per-server Keycloak home (symlinks to the cached jars, themes and
# providers; its own copy of kc.sh, conf/ and lib/quarkus/; its own data/ with a copy of the template
# database), so concurrent and repeated servers never write into the cache. The realm files are
# copied into DIR/home/data/import and imported at startup (--import-realm; realms that already exist
# in DIR's database are left alone). The server listens on 127.0.0.1:HTTP_PORT (OIDC) and
# 127.0.0.1:MGMT_PORT (health) only; dev mode uses a local cache (no JGroups). The issuer is pinned
# with --hostname=http://127.0.0.1:HTTP_PORT, whatever host name a client uses. Ready when
# GET http://127.0.0.1:MGMT_PORT/health/ready answers 200. Log: DIR/keycloak.log, pid: DIR/keycloak.pid.
# The base URL (http://127.0.0.1:HTTP_PORT) is the last stdout line; all progress goes to stderr.
#
# Env:
#   KEYCLOAK_REALM_FILES     colon-separated realm JSON files (default: peers/keycloak/*.json)
#   KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD   master realm admin (default
#                            admin / lakegate-admin; test only). One template database per pair.
#   KEYCLOAK_JAVA_HOME       JDK 21+ for Keycloak only (default: Temurin 25 under /usr/lib/jvm, else
#                            the newest JDK 21+ found there, else JAVA_HOME when it is 21+)
#   KEYCLOAK_START_TIMEOUT   seconds (default 240)
#   KEYCLOAK_JAVA_OPTS_APPEND  extra JVM options (kc.sh JAVA_OPTS_APPEND; heap or GC changes make
#                            the JVM ignore the AOT cache)
#   KEYCLOAK_AOT             0: neither train nor use the AOT cache
#   KEYCLOAK_VERSION / KEYCLOAK_SHA1  another dist (the sha1 is only checked for the pinned version
#                            unless KEYCLOAK_SHA1 is given)
set -euo pipefail

# 26.7.2 as PEERS.md asks. Maven Central serves its zip (and .zip.sha1), but not its .pom, and its
# maven-metadata.xml skips it (newest listed when pinned: 26.7.3). `mvn dependency:copy` does not need
# the pom, so the pin works; the sha1 below is Central's .zip.sha1.
DEFAULT_KEYCLOAK_VERSION=26.7.2
DEFAULT_KEYCLOAK_SHA1=085ad28834f8964fa38598821bde5ddf2962881e
KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-$DEFAULT_KEYCLOAK_VERSION}"
if [[ -n "${KEYCLOAK_SHA1:-}" ]]; then
  EXPECTED_SHA1="$KEYCLOAK_SHA1"
elif [[ "$KEYCLOAK_VERSION" == "$DEFAULT_KEYCLOAK_VERSION" ]]; then
  EXPECTED_SHA1="$DEFAULT_KEYCLOAK_SHA1"
else
  EXPECTED_SHA1=""
fi

# Build-time options: the dist is augmented with exactly these, and every start passes them again so
# Keycloak finds nothing to rebuild. (token-exchange-standard:v2 is on by default in 26.x; it is
# named here because the tests depend on it.)
BUILD_OPTS=(--health-enabled=true --features=token-exchange-standard:v2)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/keycloak-$KEYCLOAK_VERSION"
DIST="$PEER_HOME/keycloak-$KEYCLOAK_VERSION"
STAMP="$PEER_HOME/.stamp-dist"

export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-lakegate-admin}"

PEER=keycloak
# shellcheck source=scripts/peers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- Java ---------------------------------------------------------------------------------

find_java_home() { find_jdk KEYCLOAK_JAVA_HOME 21 temurin-25 newest java-home; }

# --- processes ----------------------------------------------------------------------------

# PID of a live server whose home is HOME (kc.sh, or the java it became), or nothing.
running_pid() { # DIR -> pid of the kc.sh of its home, or nothing
  live_pid "$1/keycloak.pid" "$1/home/bin/"
}

# Stop the process group PID leads (setsid made kc.sh a group leader; java is in its group).
stop_group() { # PID [TIMEOUT_SECONDS]
  stop_pid "$1" "${2:-30}" group
}

# Start kc.sh start-dev in its own session. Lock fds 8 and 9 are closed so the daemon does not hold them.
launch() { # JAVA_HOME HOME LOGFILE JAVA_OPTS_APPEND ARGS...
  local java_home="$1" home="$2" logfile="$3" opts="$4"
  shift 4
  (cd "$(dirname "$home")" &&
    exec env JAVA_HOME="$java_home" JAVA_OPTS_APPEND="$opts" \
      setsid "$home/bin/kc.sh" start-dev "${BUILD_OPTS[@]}" --http-host=127.0.0.1 "$@") \
    </dev/null >"$logfile" 2>&1 8>&- 9>&- &
  LAUNCHED_PID=$!
}

# Fail when the server listens anywhere but loopback (needs ss; skipped without it).
# --- dist ---------------------------------------------------------------------------------

template_dir() {
  local key
  key="$(printf '%s\n%s\n%s\n' "$KC_BOOTSTRAP_ADMIN_USERNAME" "$KC_BOOTSTRAP_ADMIN_PASSWORD" "${BUILD_OPTS[*]}" |
    sha256sum | cut -c1-12)"
  echo "$PEER_HOME/template-$key"
}

fetch_zip() { # OUTDIR -> path of the zip
  local out="$1" zip sha
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH"
  log "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip (177 MB; mvn, local repo ~/.m2)"
  # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
  if ! mvn -q -B -Dstyle.color=never dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$out" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    die "mvn dependency:copy of keycloak-quarkus-dist:$KEYCLOAK_VERSION failed"
  fi
  zip="$out/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  [[ -f "$zip" ]] || die "mvn did not produce $zip"
  if [[ -n "$EXPECTED_SHA1" ]]; then
    sha="$(sha1sum "$zip" | cut -d' ' -f1)"
    [[ "$sha" == "$EXPECTED_SHA1" ]] || die "sha1 of $zip is $sha, expected $EXPECTED_SHA1"
  fi
  echo "$zip"
}

# Wait until the server of PID has logged its start (0), or died or timed out (1).
wait_started() { # PID LOGFILE TIMEOUT_SECONDS
  local pid="$1" logfile="$2" i
  for ((i = 0; i < $3 * 4; i++)); do
    grep -q 'Keycloak .* started in' "$logfile" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# JDK 25's AOT cache (JEP 483/514/515: the classes a training run loaded, parsed and linked, plus
# method profiles) cuts a warm start by about a third on 2 cores. One per JDK build; AOTMode=auto (the
# default) ignores a cache that does not match the JVM, so a stale one only costs speed.
aot_file() { # JAVA_HOME -> path of the cache for this JDK, or nothing when unused
  local major
  [[ "${KEYCLOAK_AOT:-1}" != 0 ]] || return 0
  major="$(java_major "$1")"
  [[ -n "$major" ]] && (( major >= 25 )) || return 0
  echo "$PEER_HOME/aot-$("$1/bin/java" -version 2>&1 | sha256sum | cut -c1-12).aot"
}

java_opts_append() { # JAVA_HOME -> JAVA_OPTS_APPEND for a server
  local aot
  aot="$(aot_file "$1")"
  if [[ -n "$aot" && -f "$aot" ]]; then
    echo "-XX:AOTCache=$aot ${KEYCLOAK_JAVA_OPTS_APPEND:-}"
  else
    echo "${KEYCLOAK_JAVA_OPTS_APPEND:-}"
  fi
}

# One start of a server home like `start` makes (realm import included), a few requests, a stop: at
# exit the JVM writes the AOT cache. On failure, AOT.failed stops later calls from retrying.
train_aot() { # JAVA_HOME TEMPLATE AOT
  local java_home="$1" template="$2" aot="$3" tmp logfile="$PEER_HOME/train.log" pid port url started=$SECONDS
  tmp="$(mktemp -d "$PEER_HOME/train.tmp.XXXXXX")"
  make_home "$tmp/home" "$template"
  log "training the JDK AOT cache: one start and stop of Keycloak (about a minute)"
  launch "$java_home" "$tmp/home" "$logfile" "-XX:AOTCacheOutput=$tmp/keycloak.aot ${KEYCLOAK_JAVA_OPTS_APPEND:-}" \
    --http-port=0 --http-management-port=0 --import-realm
  pid=$LAUNCHED_PID
  if wait_started "$pid" "$logfile" "${KEYCLOAK_START_TIMEOUT:-240}"; then
    port="$(sed -n 's|.*Listening on: http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$logfile" | head -n1)"
    if [[ -n "$port" ]]; then
      url="http://127.0.0.1:$port/realms/master"
      curl -fsS -o /dev/null --max-time 60 "$url/.well-known/openid-configuration" || true
      curl -fsS -o /dev/null --max-time 60 "$url/protocol/openid-connect/certs" || true
      curl -fsS -o /dev/null --max-time 60 "$url/protocol/openid-connect/token" -d grant_type=password \
        -d client_id=admin-cli --data-urlencode "username=$KC_BOOTSTRAP_ADMIN_USERNAME" \
        --data-urlencode "password=$KC_BOOTSTRAP_ADMIN_PASSWORD" || true
    fi
  fi
  # The JVM assembles the cache on exit: give it time.
  stop_group "$pid" 300
  if [[ -s "$tmp/keycloak.aot" ]]; then
    mv -f "$tmp/keycloak.aot" "$aot"
    log "AOT cache written in $((SECONDS - started))s: $aot ($(du -h "$aot" | cut -f1))"
  else
    tail -n 20 "$logfile" >&2 || true
    log "warning: no AOT cache written (log: $logfile); servers start without it"
    touch "$aot.failed"
  fi
  rm -rf "$tmp"
}

# First run of a fresh dist: augment for dev mode + BUILD_OPTS and create the template database.
prime_dist() { # JAVA_HOME TEMPLATE
  local java_home="$1" template="$2" logfile="$PEER_HOME/prime.log" pid i started=$SECONDS
  rm -rf "$DIST/data"
  log "first start-dev of the dist (Quarkus build + database schema; a few minutes on 2 cores)"
  # Random ports (0): nothing talks to this run; it is stopped once it has started.
  launch "$java_home" "$DIST" "$logfile" "${KEYCLOAK_JAVA_OPTS_APPEND:-}" --http-port=0 --http-management-port=0
  pid=$LAUNCHED_PID
  if ! wait_started "$pid" "$logfile" $((${KEYCLOAK_START_TIMEOUT:-240} + 600)); then
    tail -n 40 "$logfile" >&2 || true
    stop_group "$pid"
    die "first start of the dist failed (log: $logfile)"
  fi
  log "started once in $((SECONDS - started))s; stopping"
  stop_group "$pid"
  [[ -f "$DIST/data/h2/keycloakdb.mv.db" ]] || die "no H2 database after the first start ($DIST/data/h2)"
  rm -rf "$template"
  mkdir -p "$template"
  cp "$DIST/data/h2/keycloakdb.mv.db" "$template/keycloakdb.mv.db"
  rm -rf "$DIST/data"
}

dist_complete() { # TEMPLATE AOT
  [[ -f "$STAMP" && -f "$1/keycloakdb.mv.db" ]] || return 1
  [[ -z "$2" || -f "$2" || -f "$2.failed" ]]
}

ensure_dist() {
  local template java_home aot
  template="$(template_dir)"
  java_home="$(find_java_home)"
  aot="$(aot_file "$java_home")"
  dist_complete "$template" "$aot" && return 0
  mkdir -p "$PEER_HOME"
  # fd 8: one preparation at a time per version; closed again before anything starts a daemon.
  exec 8>"$PEER_HOME/.lock"
  flock 8
  if ! dist_complete "$template" "$aot"; then
    local started=$SECONDS
    log "Java for Keycloak: $java_home ($("$java_home/bin/java" -version 2>&1 | head -n1))"
    if [[ ! -f "$STAMP" ]]; then
      local tmp zip
      rm -rf "$DIST" "$PEER_HOME"/template-* "$PEER_HOME"/aot-* "$PEER_HOME"/*.tmp.*
      tmp="$(mktemp -d "$PEER_HOME/download.tmp.XXXXXX")"
      zip="$(fetch_zip "$tmp")"
      log "unpacking into $DIST"
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$zip" -d "$PEER_HOME"
      else
        (cd "$PEER_HOME" && "$java_home/bin/jar" xf "$zip")
      fi
      rm -rf "$tmp"
      [[ -x "$DIST/bin/kc.sh" ]] || die "unexpected zip layout: no $DIST/bin/kc.sh"
      prime_dist "$java_home" "$template"
      printf 'keycloak %s\nbuild options: %s\n' "$KEYCLOAK_VERSION" "${BUILD_OPTS[*]}" >"$STAMP"
    elif [[ ! -f "$template/keycloakdb.mv.db" ]]; then
      # Dist present, template for these admin credentials missing: one more first start.
      prime_dist "$java_home" "$template"
    fi
    if [[ -n "$aot" && ! -f "$aot" && ! -f "$aot.failed" ]]; then
      train_aot "$java_home" "$template" "$aot"
    fi
    log "dist ready in $((SECONDS - started))s: $DIST"
  fi
  exec 8>&-
}

# --- server -------------------------------------------------------------------------------

is_ready() { # MGMT_PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready" 2>/dev/null
}

realm_files() {
  local -a files=()
  local f
  if [[ -n "${KEYCLOAK_REALM_FILES:-}" ]]; then
    IFS=: read -r -a files <<<"$KEYCLOAK_REALM_FILES"
  else
    shopt -s nullglob
    files=("$REPO_ROOT"/peers/keycloak/*.json)
    shopt -u nullglob
  fi
  for f in "${files[@]}"; do
    [[ -f "$f" ]] || die "no realm file $f"
    printf '%s\n' "$f"
  done
}

# A Keycloak home of DIR's own: the cached jars, themes and providers by symlink; kc.sh, conf/ and
# lib/quarkus/ (what a re-augmentation would rewrite) copied; data/ (H2, transaction logs, import).
make_home() { # HOME TEMPLATE
  local home="$1" template="$2" f
  mkdir -p "$home/bin" "$home/lib" "$home/data/h2" "$home/data/import"
  cp -f "$DIST/bin/kc.sh" "$home/bin/kc.sh"
  cp -f "$DIST/lib/quarkus-run.jar" "$home/lib/quarkus-run.jar"
  cp -f "$DIST/version.txt" "$home/version.txt"
  ln -sfn "$DIST/lib/app" "$home/lib/app"
  ln -sfn "$DIST/lib/lib" "$home/lib/lib"
  ln -sfn "$DIST/providers" "$home/providers"
  ln -sfn "$DIST/themes" "$home/themes"
  rm -rf "$home/lib/quarkus" "$home/conf"
  cp -a "$DIST/lib/quarkus" "$home/lib/quarkus"
  cp -a "$DIST/conf" "$home/conf"
  if [[ ! -f "$home/data/h2/keycloakdb.mv.db" ]]; then
    cp "$template/keycloakdb.mv.db" "$home/data/h2/keycloakdb.mv.db"
  fi
  rm -f "$home/data/import"/*.json
  while IFS= read -r f; do
    cp "$f" "$home/data/import/"
  done < <(realm_files)
}

cmd_start() {
  local dir port mgmt home pid i java_home template started
  [[ $# -eq 3 ]] || usage
  port="$2"; mgmt="$3"
  check_port "$port"; check_port "$mgmt"
  [[ "$port" != "$mgmt" ]] || die "HTTP_PORT and MGMT_PORT must differ"
  ensure_dist
  java_home="$(find_java_home)"
  template="$(template_dir)"
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  home="$dir/home"
  lock_dir "$dir"

  pid="$(running_pid "$dir")"
  if [[ -n "$pid" ]]; then
    if [[ "$(cat "$dir/keycloak.ports" 2>/dev/null || true)" == "$port $mgmt" ]] && is_ready "$mgmt"; then
      log "already running on 127.0.0.1:$port (pid $pid)"
      echo "http://127.0.0.1:$port"
      return 0
    fi
    log "running (pid $pid) on other ports; restarting on $port/$mgmt"
    stop_group "$pid"
  fi

  make_home "$home" "$template"
  started=$SECONDS
  log "starting Keycloak $KEYCLOAK_VERSION on 127.0.0.1:$port (management 127.0.0.1:$mgmt), realms: $(ls "$home/data/import" | tr '\n' ' ')"
  launch "$java_home" "$home" "$dir/keycloak.log" "$(java_opts_append "$java_home")" \
    --http-port="$port" --http-management-port="$mgmt" \
    --hostname="http://127.0.0.1:$port" --import-realm
  pid=$LAUNCHED_PID
  echo "$pid" >"$dir/keycloak.pid"
  echo "$port $mgmt" >"$dir/keycloak.ports"

  if wait_ready "$pid" "$dir/keycloak.log" "${KEYCLOAK_START_TIMEOUT:-240}" is_ready "$mgmt"; then
    if grep -q 'Updating the configuration' "$dir/keycloak.log"; then
      log "warning: Keycloak re-augmented at start (build options differ from the cached dist's)"
    fi
    check_loopback_only "$pid" || { stop_group "$pid"; exit 1; }
    log "ready in $((SECONDS - started))s (pid $pid)"
    echo "http://127.0.0.1:$port"
    return 0
  fi
  stop_group "$pid"
  die "not ready on 127.0.0.1:$mgmt after ${KEYCLOAK_START_TIMEOUT:-240}s (log: $dir/keycloak.log)"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid group keycloak.pid keycloak.ports
}

case "${1:-}" in
  dist) shift; [[ $# -eq 0 ]] || usage; ensure_dist; echo "$DIST" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
