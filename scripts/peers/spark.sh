#!/usr/bin/env bash
# Apache Spark (PySpark) with the Apache Iceberg Spark runtime (1.11.0 by default, or 1.12.0), for the real-peer tests.
#
#   scripts/peers/spark.sh               ensure both, print the venv python, then the jar dir (2 lines)
#   scripts/peers/spark.sh run ARGS...   ensure both, then exec the venv python with ARGS and:
#                                          JAVA_HOME             Java 17 (Spark 4.1 needs 17+)
#                                          PYSPARK_PYTHON        the venv python (Python UDF workers)
#                                          LAKEGATE_SPARK_JARS   the jars, comma-separated (for spark.jars)
#                                          PYTHONPATH            peers/spark first (lakegate_spark: the shared
#                                                                session setup the jobs import)
#   scripts/peers/spark.sh stop-host DIR stop the shared driver host (peers/spark/host.py) of DIR: SIGTERM to the pid
#                                        of DIR/host.pid (the host stops Spark), SIGKILL after 40 s; no-op when gone
#
# Cache: ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}
#   venv-spark/            python -m venv + pip install -r peers/spark/requirements.txt (all pinned);
#                          rebuilt from scratch whenever the sha256 of that file changes
#   spark-jars-<version>/  org.apache.iceberg:iceberg-spark-runtime-4.1_2.13 and iceberg-aws-bundle,
#                          copied from Maven Central (mvn dependency:copy, local repo ~/.m2); 1.12.0 adds
#                          iceberg-core and iceberg-api 1.12.0 (the client classes the 1.12 proofs name)
# Each part is skipped while the stamp written after its last successful install matches, so a
# warm run only hashes one file and tests a few paths. Concurrent callers serialise on a lock,
# which is released before `run` execs the (long-running) job.
# Env: LAKEGATE_ICEBERG_VERSION (1.11.0, the default, or 1.12.0: which runtime the jobs get),
#      LAKEGATE_PYTHON (base interpreter, default python3),
#      LAKEGATE_SPARK_JAVA_HOME (default /usr/lib/jvm/java-17-openjdk-amd64, else $JAVA_HOME).
# Progress goes to stderr; stdout carries only the printed paths (or the job's own output).
set -euo pipefail

ICEBERG_VERSION="${LAKEGATE_ICEBERG_VERSION:-1.11.0}"
JARS=(
  "org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:$ICEBERG_VERSION"
  "org.apache.iceberg:iceberg-aws-bundle:$ICEBERG_VERSION"
)
# The Spark runtime shades iceberg-core and iceberg-api; 1.12.0 also caches them on their own, for a plain JVM
# client of that version (they are not on Spark's classpath: LAKEGATE_SPARK_JARS lists only the two above).
CLIENT_JARS=()
case "$ICEBERG_VERSION" in
  1.11.0) ;;
  1.12.0) CLIENT_JARS=("org.apache.iceberg:iceberg-core:$ICEBERG_VERSION" "org.apache.iceberg:iceberg-api:$ICEBERG_VERSION") ;;
  *) printf '[spark] error: LAKEGATE_ICEBERG_VERSION %s is not pinned here (1.11.0 or 1.12.0)\n' "$ICEBERG_VERSION" >&2; exit 2 ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="$repo_root/peers/spark/requirements.txt"
cache_dir="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
venv_dir="$cache_dir/venv-spark"
venv_stamp="$venv_dir/.lakegate-requirements.sha256"
python="$venv_dir/bin/python"
jar_dir="$cache_dir/spark-jars-$ICEBERG_VERSION"
jar_stamp="$jar_dir/.lakegate-jars"
base_python="${LAKEGATE_PYTHON:-python3}"

log() { printf '[spark] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

[[ -f "$requirements" ]] || die "missing $requirements"
wanted_venv="$(sha256sum "$requirements" | cut -d' ' -f1)"
wanted_jars="$(printf '%s\n' "${JARS[@]}" "${CLIENT_JARS[@]}")"

# artifactId-version.jar for each coordinate (group:artifact:version)
jar_files() {
  local c a v
  for c in "${JARS[@]}"; do
    IFS=: read -r _ a v <<<"$c"
    printf '%s\n' "$jar_dir/$a-$v.jar"
  done
}

venv_ok() {
  [[ -f "$venv_stamp" && "$(<"$venv_stamp")" == "$wanted_venv" && -x "$python" ]]
}

jars_ok() {
  [[ -f "$jar_stamp" && "$(<"$jar_stamp")" == "$wanted_jars" ]] || return 1
  local f
  while IFS= read -r f; do [[ -s "$f" ]] || return 1; done < <(jar_files)
}

install_venv() {
  # New requirements, an interrupted install or a broken interpreter: start from an empty venv
  # so nothing unpinned lingers from an earlier install.
  if [[ -e "$venv_dir" ]]; then
    log "rebuilding $venv_dir (requirements changed or venv incomplete)"
    rm -rf "$venv_dir"
  fi
  log "creating venv at $venv_dir with $("$base_python" --version 2>&1)"
  "$base_python" -m venv "$venv_dir" >&2
  log "installing pinned requirements (pyspark is a ~450 MB download: a minute or two on a cold cache)"
  "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    --require-virtualenv -r "$requirements" >&2
  "$python" -c 'import pyspark, py4j' >&2
  printf '%s\n' "$wanted_venv" >"$venv_stamp"
  log "installed pyspark $("$python" -c 'import pyspark; print(pyspark.__version__)')"
}

install_jars() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH"
  local tmp c
  tmp="$(mktemp -d "$cache_dir/spark-jars.tmp.XXXXXX")"
  for c in "${JARS[@]}" "${CLIENT_JARS[@]}"; do
    log "copying $c from Maven Central"
    # (Debian's mvn prints stray ESC[0m even in batch mode; strip it. pipefail keeps mvn's status.)
    if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$c" -DoutputDirectory="$tmp" 2>&1 |
      sed 's/\x1b\[[0-9;]*m//g' >&2; then
      rm -rf "$tmp"
      die "mvn dependency:copy $c failed"
    fi
  done
  printf '%s\n' "$wanted_jars" >"$tmp/.lakegate-jars"
  chmod 755 "$tmp"
  rm -rf "$jar_dir"
  mv "$tmp" "$jar_dir"
  log "jars ready in $jar_dir ($(du -sh "$jar_dir" | cut -f1))"
}

ensure() {
  venv_ok && jars_ok && return 0
  mkdir -p "$cache_dir"
  # Serialise concurrent first runs on the same cache; re-check once we hold the lock.
  exec 9>"$cache_dir/spark.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9
  fi
  venv_ok || install_venv
  jars_ok || install_jars
  exec 9>&-
}

java_home() {
  local candidate="${LAKEGATE_SPARK_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
  if [[ -x "$candidate/bin/java" ]]; then
    printf '%s\n' "$candidate"
  elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME"
  else
    die "no Java 17 found (set LAKEGATE_SPARK_JAVA_HOME)"
  fi
}

case "${1:-}" in
  "")
    ensure
    printf '%s\n%s\n' "$python" "$jar_dir"
    ;;
  run)
    shift
    ensure
    JAVA_HOME="$(java_home)"
    LAKEGATE_SPARK_JARS="$(jar_files | paste -sd, -)"
    export JAVA_HOME LAKEGATE_SPARK_JARS
    export PYSPARK_PYTHON="$python" PYSPARK_DRIVER_PYTHON="$python"
    export PYTHONPATH="$repo_root/peers/spark${PYTHONPATH:+:$PYTHONPATH}"
    exec "$python" "$@"
    ;;
  stop-host)
    [[ -n "${2:-}" ]] || die "usage: spark.sh stop-host DIR"
    pid="$(cat "$2/host.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || exit 0
    kill -TERM "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 80); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.5
    done
    log "the host $pid did not stop within 40 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    ;;
  -h | --help | help)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    ;;
  *)
    die "unknown subcommand: $1 (try --help)"
    ;;
esac
