#!/usr/bin/env bash
# A real LDAP server for the Hive metastore's LDAP logins (test/interop/federation-hive-ldap.test.ts): UnboundID LDAP
# SDK's in-memory directory server, on 127.0.0.1 only.
#   scripts/peers/ldap.sh lib                                  ensure the SDK's jar; prints the lib dir
#   scripts/peers/ldap.sh start DIR PORT BASE_DN LDIF_FILE [KEYSTORE LDAPS_PORT]
#                                                              start (or reuse) the directory of DIR; prints ldap://127.0.0.1:PORT
#   scripts/peers/ldap.sh stop DIR                             stop it (it keeps nothing: a start loads the LDIF again)
#
# lib: Maven Central's com.unboundid:unboundid-ldapsdk (peers/ldap/pom.xml, through `mvn dependency:copy-dependencies`,
# local repo ~/.m2) into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/ldap-<version>/lib, once per pom (sha256 stamp), one
# copy at a time (flock), as hive-metastore.sh and kafka.sh fetch theirs.
# start: the SDK's own tool (InMemoryDirectoryServerTool) listens on every interface and has no option for the address,
# so peers/ldap/LoopbackDirectory.java (Java's source-file mode on that jar) builds the same server through the SDK's
# API with one listener on 127.0.0.1:PORT, loads LDIF_FILE (entries with userPassword: simple binds check it) and
# serves in its own session. Log DIR/ldap.log, pid DIR/ldap.pid. Ready when the port accepts connections and the log
# says "listening". The URL is the last stdout line; progress goes to stderr. With KEYSTORE (a .p12 made by
# hive-metastore.sh tls-keystore, its .password beside it: a fresh self-signed key per test run) the same directory also
# serves LDAP inside TLS (ldaps://127.0.0.1:LDAPS_PORT, a listener named "ldaps" in the access log).
# Env: LDAP_JAVA_HOME (a JDK 17+; default JAVA_HOME when 17+, else the newest 17+ under /usr/lib/jvm), LDAP_START_TIMEOUT
# (default 60 s).
set -euo pipefail

SDK_VERSION=7.0.3
MIN_JAVA=17

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/../../peers/ldap/pom.xml"
LAUNCHER="$SCRIPT_DIR/../../peers/ldap/LoopbackDirectory.java"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/ldap-$SDK_VERSION"
LIB_DIR="$PEER_HOME/lib"

PEER=ldap
# shellcheck source=scripts/peers/lib.sh
source "$SCRIPT_DIR/lib.sh"

find_java_home() { find_jdk LDAP_JAVA_HOME "$MIN_JAVA" java-home newest; }

ensure_lib() { maven_lib "$POM" "$PEER_HOME" "$LIB_DIR" "the UnboundID LDAP SDK $SDK_VERSION"; }

running_pid() { # DIR -> pid of its live directory server, or nothing
  live_pid "$1/ldap.pid" LoopbackDirectory.java
}

is_ready() { # PORT LOGFILE
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && grep -q 'listening on 127.0.0.1' "$2"
}

cmd_start() {
  local dir port pid java_home ldif tls=()
  [[ $# -eq 4 || $# -eq 6 ]] || usage
  if [[ $# -eq 6 ]]; then
    [[ "$5" == *.p12 && -f "$5" && -f "${5%.p12}.password" ]] || die "KEYSTORE must be a .p12 with its .password beside it: $5"
    check_port "$6"
    tls=("$(abs_dir "$(dirname "$5")")/$(basename "$5")" "$6")
  fi
  port="$2"
  check_port "$port"
  [[ "$3" =~ ^[A-Za-z]+=[A-Za-z0-9_.-]+(,[A-Za-z]+=[A-Za-z0-9_.-]+)*$ ]] || die "BASE_DN must be plain RDNs like dc=example,dc=com, not $3"
  [[ -f "$4" ]] || die "no LDIF file $4"
  ldif="$(abs_dir "$(dirname "$4")")/$(basename "$4")"
  java_home="$(find_java_home)"
  ensure_lib
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/ldap.port" "$port" "ldap://127.0.0.1:$port" is_ready "$port" "$dir/ldap.log"; then return 0; fi
  log "starting the LDAP directory $3 on 127.0.0.1:$port"
  setsid "$java_home/bin/java" -Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -cp "$LIB_DIR/*" "$LAUNCHER" "$3" "$port" "$ldif" "${tls[@]}" </dev/null >"$dir/ldap.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/ldap.pid"
  echo "$port" >"$dir/ldap.port"
  ready_or_die "$pid" "$dir/ldap.log" "${LDAP_START_TIMEOUT:-60}" "ldap://127.0.0.1:$port" is_ready "$port" "$dir/ldap.log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid group ldap.pid ldap.port
}

case "${1:-}" in
  lib) shift; [[ $# -eq 0 ]] || usage; ensure_lib; echo "$LIB_DIR" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
