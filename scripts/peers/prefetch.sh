#!/usr/bin/env bash
# Fetches and builds every peer of the interop tests into the cache, without starting any, so a cold CI run can
# do it while the unit project runs (.ci/run) instead of one peer at a time inside the interop tests.
#
#   scripts/peers/prefetch.sh LOG_DIR     fetch/build everything; one log per lane in LOG_DIR; a timing line per step
#
# Each peer script is asked only for its artifacts (minio.sh bin, keycloak.sh dist, kafka.sh lib, ...), with the
# same arguments the tests use, so the tests then find them cached. Three lanes run side by side, each one step at
# a time: Go builds (CPU-heavy: four Go programs from the module proxy, and peers/promcheck), Maven/JVM (one local ~/.m2 repository, so
# never two mvn at once), Python virtualenvs (pip). Debian packages (apt-get holds one lock) go in the Python lane.
# PostgreSQL has no fetch-only mode: postgres.sh installs it on first start (one apt-get install, about a minute).
# The peer scripts lock per cache directory, so a test that needs a peer still being fetched waits for it.
# Exit status: non-zero when any step failed (each failure is named on stderr; the lanes go on regardless).
set -uo pipefail
cd "$(dirname "$0")/../.."
log_dir="${1:?usage: scripts/peers/prefetch.sh LOG_DIR}"
mkdir -p "$log_dir"

step() { # LANE NAME COMMAND...: runs one step, appends its output to the lane's log, prints a timing line
  local lane="$1" name="$2" start rc
  shift 2
  start=$SECONDS
  "$@" >>"$log_dir/$lane.log" 2>&1
  rc=$?
  printf 'prefetch: %-20s %4ds %s\n' "$name" $((SECONDS - start)) "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc, see $log_dir/$lane.log)")" >&2
  [[ $rc == 0 ]] || echo "$name" >>"$log_dir/failed"
}

go_lane() {
  step go minio bash scripts/peers/minio.sh bin
  step go openfga bash scripts/peers/openfga.sh bin
  step go nats bash scripts/peers/nats.sh bin
  step go jaeger bash scripts/peers/jaeger.sh bin
  step go promcheck bash scripts/peers/promcheck.sh bin
}

jvm_lane() {
  step jvm iceberg-java bash scripts/peers/iceberg-java.sh lib
  step jvm keycloak bash scripts/peers/keycloak.sh dist
  step jvm kafka bash scripts/peers/kafka.sh lib
  step jvm spark bash scripts/peers/spark.sh
  step jvm spark-iceberg-1.12 env LAKEGATE_ICEBERG_VERSION=1.12.0 bash scripts/peers/spark.sh
  step jvm lance-spark bash scripts/peers/lance-spark.sh
  step jvm trino bash scripts/peers/trino.sh dist
  step jvm trino-opa bash scripts/peers/trino.sh opa
  step jvm trino-groups bash scripts/peers/trino.sh groups
  step jvm hive-metastore bash scripts/peers/hive-metastore.sh lib
  step jvm iceberg-hive-writer bash scripts/peers/hive-metastore.sh writer-lib
  step jvm ldap bash scripts/peers/ldap.sh lib
}

python_lane() { # the names, requirements and checks are the tests' own (test/interop/*.test.ts)
  step python venv-pyiceberg bash scripts/peers/python-venv.sh
  step python venv-botocore bash scripts/peers/botocore-venv.sh
  step python venv-pyiceberg-sigv4 bash scripts/peers/python-venv.sh pyiceberg-sigv4 peers/python/requirements-sigv4.txt 'import pyiceberg, pyarrow, boto3, botocore.auth'
  step python venv-pyiceberg-signing bash scripts/peers/python-venv.sh pyiceberg-signing peers/python/requirements-signing.txt 'import pyiceberg, pyarrow, s3fs'
  step python venv-duckdb bash scripts/peers/python-venv.sh duckdb peers/duckdb/requirements.txt 'import duckdb, duckdb_extension_iceberg, duckdb_extension_avro, duckdb_extension_httpfs'
  step python venv-lance bash scripts/peers/python-venv.sh lance peers/lance/requirements.txt 'import lancedb, lance'
  step python venv-daft bash scripts/peers/python-venv.sh daft peers/daft/requirements.txt 'import daft, daft_lance, lance, lance_namespace'
  step python venv-lance-duckdb bash scripts/peers/python-venv.sh lance-duckdb peers/lance-duckdb/requirements.txt 'import duckdb, duckdb_extension_lance'
  step python venv-lance-ray bash scripts/peers/python-venv.sh lance-ray peers/lance-ray/requirements.txt 'import ray, lance_ray, lance, lance_namespace'
  step python venv-moto bash scripts/peers/python-venv.sh moto peers/moto/requirements.txt 'import moto, flask'
  step python venv-spark-connect bash scripts/peers/python-venv.sh spark-connect peers/spark-connect/requirements.txt 'import pyspark.sql.connect.session, grpc, pandas, pyarrow, zstandard'
  step python venv-schemathesis bash scripts/peers/python-venv.sh schemathesis peers/python/schemathesis-requirements.txt 'import schemathesis'
  step python chromium bash scripts/peers/chromium.sh
  step python kdc bash scripts/peers/kdc.sh install
}

rm -f "$log_dir/failed"
start=$SECONDS
go_lane &
jvm_lane &
python_lane &
wait
echo "prefetch: every peer in $((SECONDS - start))s" >&2
if [[ -s "$log_dir/failed" ]]; then
  echo "prefetch: failed: $(tr '\n' ' ' <"$log_dir/failed")" >&2
  exit 1
fi
