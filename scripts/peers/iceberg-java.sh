#!/usr/bin/env bash
# Apache Iceberg Java 1.11.0 test jars: the REST Compatibility Kit (RCK) and the REST fixture server.
#
#   scripts/peers/iceberg-java.sh lib        ensure the jars, print the lib dir
#   scripts/peers/iceberg-java.sh rck [ARGS] run RESTCompatibilityKitSuite against $CATALOG_URI
#   scripts/peers/iceberg-java.sh fixture    run org.apache.iceberg.rest.RESTCatalogServer (foreground)
#
# Jars come from Maven Central via peers/iceberg-java/pom.xml (mvn dependency:copy-dependencies,
# local repo ~/.m2) into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/iceberg-java-1.11.0/lib. The copy
# is skipped when a stamp matching the pom's sha256 exists.
#
# rck:
#   CATALOG_URI (required), CATALOG_WAREHOUSE (optional) and any other CATALOG_* env var become
#   client catalog properties (CATALOG_ stripped, __ -> -, _ -> ., lowercased), e.g.
#   CATALOG_CREDENTIAL, CATALOG_OAUTH2__SERVER__URI.
#   RCK_REPORTS_DIR  if set, JUnit XML reports go there.
#   RCK_REQUIRES_NAMESPACE_CREATE  true (default) | false | unset. With "unset" the suite keeps its own
#                    defaults (false for table tests, true for view tests). That is how Iceberg runs
#                    it against its JdbcCatalog fixture, which creates namespaces implicitly for tables.
#   RCK_JAVA_OPTS    extra JVM options, appended after the defaults so they win, e.g.
#                    "-Drck.supports-serverside-retry=false". Always set: -Drck.local=false.
#   RCK_DETAILS      console launcher --details mode (default tree; summary, flat, none, ...).
#   RCK_EXTRA_SOURCES  a directory of .java files (e.g. test classes extending the kit's) compiled against the
#                    kit's jars into a cached classes dir that joins the classpath; select them with ARGS.
#   ARGS             extra junit-platform-console-standalone options. If any starts with --select,
#                    it replaces the default --select-class of the whole suite, e.g.
#                    --select-method org.apache.iceberg.rest.RESTCompatibilityKitCatalogTests#testRenameTable
#                    (methods with parameters need their types, e.g. '#testLoadTableWithMissingMetadataFile(java.nio.file.Path)')
#   The exit status is the launcher's (0 = all passed, 1 = failures).
#   The RCK leaves namespaces behind (ns, ns_1, ns_2, a): point each run at a fresh catalog.
#
# fixture:
#   CATALOG_REST_PORT (default 8282) and CATALOG_WAREHOUSE (default: a new mktemp dir). Any other
#   CATALOG_* env var configures the backend catalog (default: in-memory SQLite JdbcCatalog).
#   Iceberg's RESTCatalogServer binds every interface. This script runs it through a tiny wrapper
#   that starts it on an ephemeral port, then moves the connector to 127.0.0.1:$CATALOG_REST_PORT.
#   Set ICEBERG_FIXTURE_BIND_ALL=1 to run the stock main class instead.
#   Ready when GET http://127.0.0.1:$CATALOG_REST_PORT/v1/config answers 200.
set -euo pipefail

ICEBERG_VERSION=1.11.0
JUNIT_PLATFORM_VERSION=1.14.4

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$REPO_ROOT/peers/iceberg-java/pom.xml"

CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/iceberg-java-$ICEBERG_VERSION"
LIB_DIR="$PEER_HOME/lib"
LAUNCHER_JAR="$PEER_HOME/launcher/junit-platform-console-standalone-$JUNIT_PLATFORM_VERSION.jar"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
  JAVAC="$JAVA_HOME/bin/javac"
else
  JAVA=java
  JAVAC=javac
fi

log() { printf 'iceberg-java: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Ensure the jars are in $LIB_DIR and the launcher is in $PEER_HOME/launcher.
ensure_lib() {
  [[ -f "$POM" ]] || die "missing $POM"
  local sha stamp
  sha="$(sha256sum "$POM" | cut -d' ' -f1)"
  stamp="$PEER_HOME/.stamp-pom-$sha"
  if [[ -f "$stamp" && -d "$LIB_DIR" && -f "$LAUNCHER_JAR" ]]; then
    return 0
  fi

  mkdir -p "$PEER_HOME"
  # serialise concurrent first runs (e.g. fixture and rck started together)
  exec 9>"$PEER_HOME/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9
  fi
  if [[ -f "$stamp" && -d "$LIB_DIR" && -f "$LAUNCHER_JAR" ]]; then
    exec 9>&-
    return 0
  fi

  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH"
  log "copying Iceberg $ICEBERG_VERSION jars into $LIB_DIR (first run downloads from Maven Central)"
  local tmp
  tmp="$(mktemp -d "$PEER_HOME/lib.tmp.XXXXXX")"
  # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
  if ! mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory="$tmp" -f "$POM" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed"
  fi
  # The console launcher bundles JUnit; keep it out of lib/ so lib/* stays a plain classpath.
  mkdir -p "$PEER_HOME/launcher"
  mv "$tmp/junit-platform-console-standalone-$JUNIT_PLATFORM_VERSION.jar" "$LAUNCHER_JAR"
  chmod 755 "$tmp"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  rm -f "$PEER_HOME"/.stamp-pom-*
  printf '%s  %s\n' "$sha" "peers/iceberg-java/pom.xml" >"$stamp"
  exec 9>&-
  log "done: $(find "$LIB_DIR" -name '*.jar' | wc -l) jars, $(du -sh "$LIB_DIR" | cut -f1)"
}

cmd_lib() {
  ensure_lib
  printf '%s\n' "$LIB_DIR"
}

cmd_rck() {
  ensure_lib
  [[ -n "${CATALOG_URI:-}" ]] || die "set CATALOG_URI (e.g. http://127.0.0.1:8181/) and usually CATALOG_WAREHOUSE"

  local select_given=0 arg
  for arg in "$@"; do
    [[ "$arg" == --select* ]] && select_given=1
  done

  # The console launcher does not expand "lib/*": hand it the jars one by one.
  local classpath
  classpath="$(find "$LIB_DIR" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | paste -sd: -)"
  if [[ -n "${RCK_EXTRA_SOURCES:-}" ]]; then
    classpath="$(compile_extra_sources "$RCK_EXTRA_SOURCES"):$classpath"
  fi
  local -a launcher_args=(execute --disable-banner --disable-ansi-colors
    --details="${RCK_DETAILS:-tree}" -cp "$classpath")
  if [[ $select_given -eq 0 ]]; then
    launcher_args+=(--select-class org.apache.iceberg.rest.RESTCompatibilityKitSuite)
  fi
  if [[ -n "${RCK_REPORTS_DIR:-}" ]]; then
    mkdir -p "$RCK_REPORTS_DIR"
    launcher_args+=(--reports-dir "$RCK_REPORTS_DIR")
  fi

  local -a java_opts=(-Drck.local=false -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
  case "${RCK_REQUIRES_NAMESPACE_CREATE:-true}" in
    true | false) java_opts+=("-Drck.requires-namespace-create=${RCK_REQUIRES_NAMESPACE_CREATE:-true}") ;;
    unset) ;; # the suite's own defaults: false for catalog tests, true for view tests
    *) die "RCK_REQUIRES_NAMESPACE_CREATE must be true, false or unset" ;;
  esac
  if [[ -n "${RCK_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206  # word splitting intended
    java_opts+=(${RCK_JAVA_OPTS})
  fi

  log "RCK against ${CATALOG_URI} (warehouse ${CATALOG_WAREHOUSE:-<unset>})"
  exec "$JAVA" "${java_opts[@]}" -jar "$LAUNCHER_JAR" "${launcher_args[@]}" "$@"
}

# Compiles the .java files of a directory against the kit's jars, once per content (cached by sha256), and prints
# the classes dir.
compile_extra_sources() {
  local src="$1" sha dir tmp
  [[ -d "$src" ]] || die "RCK_EXTRA_SOURCES: no directory $src"
  sha="$(cat "$src"/*.java | sha256sum | cut -c1-16)"
  dir="$PEER_HOME/rck-extra-$sha"
  if [[ ! -d "$dir/classes" ]]; then
    command -v "$JAVAC" >/dev/null 2>&1 || die "javac not found (needed for RCK_EXTRA_SOURCES)"
    tmp="$(mktemp -d "$PEER_HOME/rck-extra.tmp.XXXXXX")"
    mkdir -p "$tmp/classes"
    "$JAVAC" -nowarn -d "$tmp/classes" -cp "$LIB_DIR/*" "$src"/*.java >&2
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  printf '%s\n' "$dir/classes"
}

# A 20-line wrapper around Iceberg's fixture: start it on an ephemeral port, then re-open its
# connector on 127.0.0.1:<port>. Iceberg's own code only calls `new Server(port)` (all interfaces).
# The class sits in org.apache.iceberg.rest so it can use the package-private constructor.
FIXTURE_SRC='package org.apache.iceberg.rest;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Lakegate test wrapper: runs RESTCatalogServer bound to one host only. */
public class LakegateLoopbackFixture {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("lakegate.fixture.host", "127.0.0.1");
    int port = Integer.parseInt(System.getenv().getOrDefault("CATALOG_REST_PORT", "8282"));
    Map<String, String> config = new HashMap<>();
    config.put(RESTCatalogServer.REST_PORT, "0");
    RESTCatalogServer fixture = new RESTCatalogServer(config);
    fixture.start(false);
    Field field = RESTCatalogServer.class.getDeclaredField("httpServer");
    field.setAccessible(true);
    Server server = (Server) field.get(fixture);
    for (Connector connector : server.getConnectors()) {
      ServerConnector sc = (ServerConnector) connector;
      sc.stop();
      sc.setHost(host);
      sc.setPort(port);
      sc.setReusePort(false);
      sc.start();
    }
    System.err.println("LakegateLoopbackFixture: listening on http://" + host + ":" + port + "/");
    server.join();
  }
}
'

ensure_fixture_wrapper() {
  local sha dir
  sha="$(printf '%s' "$FIXTURE_SRC" | sha256sum | cut -c1-16)"
  dir="$PEER_HOME/fixture-wrapper-$sha"
  if [[ ! -f "$dir/classes/org/apache/iceberg/rest/LakegateLoopbackFixture.class" ]]; then
    command -v "$JAVAC" >/dev/null 2>&1 || die "javac not found (needed for the loopback wrapper; or set ICEBERG_FIXTURE_BIND_ALL=1)"
    local tmp
    tmp="$(mktemp -d "$PEER_HOME/fixture-wrapper.tmp.XXXXXX")"
    mkdir -p "$tmp/src/org/apache/iceberg/rest" "$tmp/classes"
    printf '%s' "$FIXTURE_SRC" >"$tmp/src/org/apache/iceberg/rest/LakegateLoopbackFixture.java"
    "$JAVAC" -nowarn -d "$tmp/classes" -cp "$LIB_DIR/*" \
      "$tmp/src/org/apache/iceberg/rest/LakegateLoopbackFixture.java" >&2
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  printf '%s\n' "$dir/classes"
}

cmd_fixture() {
  ensure_lib
  export CATALOG_REST_PORT="${CATALOG_REST_PORT:-8282}"
  if [[ -z "${CATALOG_WAREHOUSE:-}" ]]; then
    CATALOG_WAREHOUSE="$(mktemp -d "${TMPDIR:-/tmp}/lakegate-iceberg-fixture.XXXXXX")"
  fi
  mkdir -p "$CATALOG_WAREHOUSE"
  export CATALOG_WAREHOUSE

  local -a java_opts=(-Dorg.slf4j.simpleLogger.defaultLogLevel="${FIXTURE_LOG_LEVEL:-warn}")
  if [[ -n "${FIXTURE_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206
    java_opts+=(${FIXTURE_JAVA_OPTS})
  fi

  log "fixture on port $CATALOG_REST_PORT, warehouse $CATALOG_WAREHOUSE"
  if [[ "${ICEBERG_FIXTURE_BIND_ALL:-0}" == 1 ]]; then
    exec "$JAVA" "${java_opts[@]}" -cp "$LIB_DIR/*" org.apache.iceberg.rest.RESTCatalogServer
  fi
  local classes
  classes="$(ensure_fixture_wrapper)"
  exec "$JAVA" "${java_opts[@]}" -cp "$classes:$LIB_DIR/*" org.apache.iceberg.rest.LakegateLoopbackFixture
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd="$1"
  shift
  case "$cmd" in
    lib) cmd_lib "$@" ;;
    rck) cmd_rck "$@" ;;
    fixture) cmd_fixture "$@" ;;
    -h | --help | help) usage ;;
    *) log "unknown subcommand: $cmd"; usage ;;
  esac
}

main "$@"
