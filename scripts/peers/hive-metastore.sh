#!/usr/bin/env bash
# Apache Hive standalone metastore 4.0.1 (Thrift, embedded Derby) for the federation tests (kind hive).
#
#   scripts/peers/hive-metastore.sh lib             ensure the metastore's jars; prints the lib dir
#   scripts/peers/hive-metastore.sh start DIR PORT  start (or reuse) the metastore of DIR; prints thrift://127.0.0.1:PORT
#   scripts/peers/hive-metastore.sh stop DIR        stop the metastore of DIR (its Derby database stays: start resumes it)
#
# lib: Maven Central's org.apache.hive:hive-standalone-metastore-server and its runtime dependencies, plus Derby
# (peers/hive-metastore/pom.xml, through `mvn dependency:copy-dependencies`, local repo ~/.m2) into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/hive-metastore-<version>/lib, once per pom (sha256 stamp), one copy at a time
# (flock). Central has no bin/ scripts: this script builds the classpath and runs HiveMetaStore's main class itself.
#
# start: writes DIR/conf/metastore-site.xml (Thrift on 127.0.0.1:PORT, Derby database DIR/metastore_db created with
# its schema by DataNucleus on first start, warehouse DIR/warehouse, no notification auth, no background tasks that a
# test does not need), then runs `java -cp DIR/conf:lib/* org.apache.hadoop.hive.metastore.HiveMetaStore` in its own
# session. Log DIR/metastore.log, pid DIR/metastore.pid. Ready when the port accepts connections (HMS 4 opens it
# once it serves). The URI is the last stdout line; progress goes to stderr.
# Env: HMS_JAVA_HOME (a JDK 17+; default the newest JDK 17-23 under /usr/lib/jvm or JAVA_HOME: Hadoop fails on 24+), HMS_HEAP (default 512m),
# HMS_START_TIMEOUT (default 180 s: DataNucleus creates the Derby schema on the first start, 30-60 s on a loaded machine).
set -euo pipefail

HIVE_VERSION=4.0.1
MIN_JAVA=17

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/../../peers/hive-metastore/pom.xml"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/hive-metastore-$HIVE_VERSION"
LIB_DIR="$PEER_HOME/lib"
MAIN_CLASS=org.apache.hadoop.hive.metastore.HiveMetaStore

PEER=hive-metastore
# shellcheck source=scripts/peers/lib.sh
source "$SCRIPT_DIR/lib.sh"

# Hadoop's UserGroupInformation calls Subject.getSubject, which JDK 24+ refuses (no SecurityManager): a JDK 17-23.
MAX_JAVA=23
find_java_home() {
  local dir major best="" best_major=0
  if [[ -n "${HMS_JAVA_HOME:-}" ]]; then find_jdk HMS_JAVA_HOME "$MIN_JAVA"; return; fi
  for dir in /usr/lib/jvm/*/ ${JAVA_HOME:+"$JAVA_HOME/"}; do
    dir="${dir%/}"
    [[ -L "$dir" ]] && continue
    major="$(java_major "$dir")"
    if [[ -n "$major" ]] && (( major >= MIN_JAVA && major <= MAX_JAVA && major > best_major )); then best="$dir"; best_major=$major; fi
  done
  [[ -n "$best" ]] || die "the Hive metastore needs a JDK $MIN_JAVA-$MAX_JAVA and none was found under /usr/lib/jvm (set HMS_JAVA_HOME)"
  echo "$best"
}

ensure_lib() {
  [[ -f "$POM" ]] || die "missing $POM"
  local sha stamp tmp
  sha="$(sha256sum "$POM" | cut -d' ' -f1)"
  stamp="$PEER_HOME/.stamp-pom-$sha"
  [[ -f "$stamp" && -d "$LIB_DIR" ]] && return 0
  mkdir -p "$PEER_HOME"
  exec 8>"$PEER_HOME/.lib.lock"
  flock 8
  if [[ ! -f "$stamp" || ! -d "$LIB_DIR" ]]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed to fetch the Hive metastore from Maven Central)"
    log "copying Hive metastore $HIVE_VERSION jars into $LIB_DIR (first run downloads from Maven Central)"
    tmp="$(mktemp -d "$PEER_HOME/lib.tmp.XXXXXX")"
    # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
    if ! mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp" -f "$POM" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
      rm -rf "$tmp"
      die "mvn dependency:copy-dependencies failed"
    fi
    chmod 755 "$tmp"
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    rm -f "$PEER_HOME"/.stamp-pom-*
    echo "$sha" >"$stamp"
    log "done: $(find "$LIB_DIR" -name '*.jar' | wc -l) jars, $(du -sh "$LIB_DIR" | cut -f1)"
  fi
  exec 8>&-
}

running_pid() { # DIR -> pid of its live metastore, or nothing
  live_pid "$1/metastore.pid" "$MAIN_CLASS"
}

# HMS 4 logs no line once its Thrift server serves; it opens the port only then (after the schema and the default
# database exist), so the port accepting connections is the signal.
is_ready() { # PORT LOGFILE
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && grep -q 'Starting DB backed MetaStore Server' "$2"
}

write_config() { # DIR PORT
  mkdir -p "$1/conf" "$1/warehouse"
  cat >"$1/conf/metastore-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>metastore.thrift.port</name><value>$2</value></property>
  <property><name>metastore.thrift.bind.host</name><value>127.0.0.1</value></property>
  <property><name>javax.jdo.option.ConnectionURL</name><value>jdbc:derby:;databaseName=$1/metastore_db;create=true</value></property>
  <property><name>javax.jdo.option.ConnectionDriverName</name><value>org.apache.derby.jdbc.EmbeddedDriver</value></property>
  <property><name>datanucleus.schema.autoCreateAll</name><value>true</value></property>
  <property><name>metastore.schema.verification</name><value>false</value></property>
  <property><name>metastore.warehouse.dir</name><value>file://$1/warehouse</value></property>
  <property><name>metastore.warehouse.external.dir</name><value>file://$1/warehouse</value></property>
  <property><name>metastore.event.db.notification.api.auth</name><value>false</value></property>
  <property><name>metastore.metrics.enabled</name><value>false</value></property>
  <property><name>metastore.compactor.initiator.on</name><value>false</value></property>
  <property><name>metastore.housekeeping.threads.on</name><value>false</value></property>
  <property><name>metastore.stats.auto.gather</name><value>false</value></property>
</configuration>
XML
  cat >"$1/conf/log4j2.properties" <<'PROPS'
status = WARN
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d %p %c{1}: %m%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = console
logger.hms.name = org.apache.hadoop.hive.metastore.HiveMetaStore
logger.hms.level = INFO
PROPS
}

cmd_start() {
  local dir port pid java_home
  [[ $# -eq 2 ]] || usage
  port="$2"
  check_port "$port"
  java_home="$(find_java_home)"
  ensure_lib
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/metastore.port" "$port" "thrift://127.0.0.1:$port" is_ready "$port" "$dir/metastore.log"; then return 0; fi
  write_config "$dir" "$port"
  log "starting the Hive metastore $HIVE_VERSION on 127.0.0.1:$port (Derby at $dir/metastore_db)"
  # Small heap, serial GC and C1 only: a test metastore on a shared 2-core machine starts faster so. Hive 4 and
  # DataNucleus reflect into the JDK: the --add-opens are those of Hive's own JDK 17 launcher.
  setsid "$java_home/bin/java" -Xms64m "-Xmx${HMS_HEAP:-512m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "-Dlog4j.configurationFile=$dir/conf/log4j2.properties" \
    "-Dderby.system.home=$dir" "-Djava.io.tmpdir=$dir" \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED \
    -cp "$dir/conf:$LIB_DIR/*" "$MAIN_CLASS" -p "$port" </dev/null >"$dir/metastore.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/metastore.pid"
  echo "$port" >"$dir/metastore.port"
  ready_or_die "$pid" "$dir/metastore.log" "${HMS_START_TIMEOUT:-180}" "thrift://127.0.0.1:$port" is_ready "$port" "$dir/metastore.log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid metastore.pid
}

case "${1:-}" in
  lib) shift; [[ $# -eq 0 ]] || usage; ensure_lib; echo "$LIB_DIR" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
