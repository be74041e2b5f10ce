#!/usr/bin/env bash
# lance-spark (com.lancedb:lance-spark-bundle-3.5_2.12, the newest Maven Central serves) on PySpark 3.5, for the
# real-peer test test/interop/lance-spark.test.ts. lance-spark publishes no Spark 4 build there, so this peer is
# Spark 3.5 beside the Spark 4.1 one of spark.sh.
#
#   scripts/peers/lance-spark.sh   ensure both, print the venv python, then the bundle jar (2 lines)
#
# Cache: ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}
#   venv-lance-spark/              pyspark from peers/lance-spark/requirements.txt (python-venv.sh; brings Spark's jars)
#   lance-spark-jars-<version>/    the bundle, copied from Maven Central (mvn dependency:copy, local repo ~/.m2)
# Concurrent callers serialise on lance-spark-jars.lock. Java: 17 (LAKEGATE_SPARK_JAVA_HOME, as spark.sh).
# Progress goes to stderr; stdout carries only the two paths.
set -euo pipefail

VERSION="${LAKEGATE_LANCE_SPARK_VERSION:-0.0.14}"
ARTIFACT="com.lancedb:lance-spark-bundle-3.5_2.12:$VERSION"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache_dir="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
jar_dir="$cache_dir/lance-spark-jars-$VERSION"
jar="$jar_dir/lance-spark-bundle-3.5_2.12-$VERSION.jar"

log() { printf '[lance-spark] %s\n' "$*" >&2; }

python="$("$repo_root/scripts/peers/python-venv.sh" lance-spark peers/lance-spark/requirements.txt 'import pyspark' | tail -n 1)"

mkdir -p "$cache_dir"
if [[ ! -s "$jar" ]]; then
  exec 9>"$cache_dir/lance-spark-jars.lock"
  command -v flock >/dev/null 2>&1 && flock 9
  if [[ ! -s "$jar" ]]; then
    command -v mvn >/dev/null 2>&1 || { log "error: mvn not found on PATH"; exit 2; }
    tmp="$(mktemp -d "$cache_dir/lance-spark-jars.tmp.XXXXXX")"
    log "copying $ARTIFACT from Maven Central (about 250 MB)"
    if ! mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp" 2>&1 |
      sed 's/\x1b\[[0-9;]*m//g' >&2; then
      rm -rf "$tmp"
      log "error: mvn dependency:copy $ARTIFACT failed"
      exit 2
    fi
    chmod 755 "$tmp"
    rm -rf "$jar_dir"
    mv "$tmp" "$jar_dir"
  fi
  exec 9>&-
fi
printf '%s\n%s\n' "$python" "$jar"
