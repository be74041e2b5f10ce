#!/usr/bin/env bash
# Apache Kafka (KRaft, one node that is both broker and controller) for the event-sink interop tests.
#
#   scripts/peers/kafka.sh lib                            ensure the broker's jars; prints the lib dir
#   scripts/peers/kafka.sh start DIR PORT CONTROLLER_PORT start (or reuse) the broker of DIR; prints its bootstrap address
#   scripts/peers/kafka.sh stop DIR                       stop the broker of DIR (its data stays: start resumes it)
#   scripts/peers/kafka.sh scram-user BOOTSTRAP NAME      add a SCRAM-SHA-256 user to a running broker (password: env)
#
# lib: Maven Central's org.apache.kafka:kafka_2.13 and its runtime dependencies (peers/kafka/pom.xml, through
# `mvn dependency:copy-dependencies`, local repo ~/.m2) into ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/kafka-<version>/lib,
# once per pom (sha256 stamp), one copy at a time (flock). Central has no bin/ scripts: this script builds the
# classpath itself and runs the two main classes the distribution's kafka-storage.sh and kafka-server-start.sh run.
#
# start: writes DIR/server.properties (listeners PLAINTEXT on 127.0.0.1:PORT, CONTROLLER on 127.0.0.1:CONTROLLER_PORT,
# topics auto-created with 3 partitions, replication factor 1), formats DIR/data once (`kafka.tools.StorageTool format`
# with a fresh cluster id; a later start of the same DIR keeps the data, so a test can stop and restart the broker
# and find every acknowledged record), then runs `java -cp lib/* kafka.Kafka DIR/server.properties` in its own
# session. DIR/extra.properties, when the caller wrote one, is appended to server.properties (a later key wins: e.g. a
# SASL_PLAINTEXT listener beside PLAINTEXT, on 127.0.0.1 too). DIR/scram, when written, holds SCRAM credentials
# (--add-scram arguments, one a line) that the format step stores. Log DIR/kafka.log, pid DIR/kafka.pid. Ready when the port accepts connections and the log says
# "Kafka Server started". The bootstrap address (127.0.0.1:PORT) is the last stdout line; progress goes to stderr.
#
# scram-user: stores a SCRAM-SHA-256 credential for NAME (password from KAFKA_SCRAM_PASSWORD, never an argument) in a
# running broker's metadata through the Admin API on its PLAINTEXT listener (peers/kafka/ScramUser.java, run by Java's
# single-file source launcher on the cached jars), and returns once the broker describes it: the shared broker of a test
# run takes a user for each file that asks (test/support/kafka.ts).
# Env: KAFKA_JAVA_HOME (a JDK 17+; default: JAVA_HOME when 17+, else the newest 17+ under /usr/lib/jvm),
# KAFKA_HEAP (default 512m), KAFKA_START_TIMEOUT (default 120 s; a loaded 2-core machine takes 20-40 s).
set -euo pipefail

KAFKA_VERSION=4.4.0
MIN_JAVA=17

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/../../peers/kafka/pom.xml"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIB_DIR="$PEER_HOME/lib"

PEER=kafka
# shellcheck source=scripts/peers/lib.sh
source "$SCRIPT_DIR/lib.sh"

find_java_home() { find_jdk KAFKA_JAVA_HOME "$MIN_JAVA" java-home newest; }

ensure_lib() { maven_lib "$POM" "$PEER_HOME" "$LIB_DIR" "Kafka $KAFKA_VERSION jars"; }

running_pid() { # DIR -> pid of its live broker, or nothing
  live_pid "$1/kafka.pid" "kafka.Kafka $1/server.properties"
}

is_ready() { # PORT LOGFILE
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && grep -q 'Kafka Server started' "$2"
}

write_config() { # DIR PORT CONTROLLER_PORT
  cat >"$1/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$3
listeners=PLAINTEXT://127.0.0.1:$2,CONTROLLER://127.0.0.1:$3
advertised.listeners=PLAINTEXT://127.0.0.1:$2
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$1/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [[ -f "$1/extra.properties" ]]; then
    { echo "# from $1/extra.properties"; cat "$1/extra.properties"; } >>"$1/server.properties"
  fi
  # WARN and above, plus the one INFO line the ready check reads.
  cat >"$1/log4j2.yaml" <<'YAML'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
YAML
}

cmd_start() {
  local dir port cport pid java_home
  local -a jvm
  [[ $# -eq 3 ]] || usage
  port="$2"; cport="$3"
  check_port "$port"; check_port "$cport"
  java_home="$(find_java_home)"
  ensure_lib
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/kafka.ports" "$port $cport" "127.0.0.1:$port" is_ready "$port" "$dir/kafka.log"; then return 0; fi
  if [[ -f "$dir/data/meta.properties" && "$(cat "$dir/kafka.ports" 2>/dev/null)" != "$port $cport" ]]; then
    log "ports changed: discarding the old data of $dir"
    rm -rf "$dir/data"
  fi
  write_config "$dir" "$port" "$cport"
  # Small heap, serial GC and C1 only: a single-node test broker on a shared 2-core machine starts faster so.
  jvm=("$java_home/bin/java" "-Xms64m" "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "-Dlog4j2.configurationFile=$dir/log4j2.yaml"
    -cp "$LIB_DIR/*")
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    log "formatting $dir/data (KRaft, node 1)"
    # DIR/scram, when the caller wrote one: SCRAM credentials stored at format time, one per line in the form
    # StorageTool's --add-scram takes (e.g. SCRAM-SHA-256=[name=alice,password=...]).
    local -a scram=()
    if [[ -f "$dir/scram" ]]; then
      while IFS= read -r line; do if [[ -n "$line" ]]; then scram+=(--add-scram "$line"); fi; done <"$dir/scram"
    fi
    "${jvm[@]}" kafka.tools.StorageTool format --ignore-formatted -c "$dir/server.properties" "${scram[@]}" \
      -t "$("${jvm[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)" >"$dir/format.log" 2>&1 ||
      { tail -n 20 "$dir/format.log" >&2; die "kafka-storage format failed (log: $dir/format.log)"; }
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (controller 127.0.0.1:$cport)"
  setsid "${jvm[@]}" kafka.Kafka "$dir/server.properties" </dev/null >"$dir/kafka.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"
  echo "$port $cport" >"$dir/kafka.ports"
  ready_or_die "$pid" "$dir/kafka.log" "${KAFKA_START_TIMEOUT:-120}" "127.0.0.1:$port" is_ready "$port" "$dir/kafka.log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid kafka.pid
}

cmd_scram_user() { # BOOTSTRAP NAME (password in KAFKA_SCRAM_PASSWORD)
  [[ $# -eq 2 ]] || usage
  [[ -n "${KAFKA_SCRAM_PASSWORD:-}" ]] || die "KAFKA_SCRAM_PASSWORD is not set"
  ensure_lib
  "$(find_java_home)/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$LIB_DIR/*" "$SCRIPT_DIR/../../peers/kafka/ScramUser.java" "$1" "$2" ||
    die "adding the SCRAM user $2 on $1 failed"
}

case "${1:-}" in
  lib) shift; [[ $# -eq 0 ]] || usage; ensure_lib; echo "$LIB_DIR" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  scram-user) shift; cmd_scram_user "$@" ;;
  *) usage ;;
esac
