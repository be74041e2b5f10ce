"""Spark + Iceberg REST catalog with vended S3 credentials that expire (as reported) soon.

A one-shot job, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh
run peers/spark/vended_ctas.py`: sets JAVA_HOME, PYSPARK_PYTHON and LAKEGATE_SPARK_JARS).
Configured only by env:

  CATALOG_URI                 Lakegate catalog URI, e.g. http://127.0.0.1:8181
  CATALOG_WAREHOUSE           warehouse name
  CATALOG_CREDENTIAL          optional "client_id:client_secret" (OAuth2 client credentials); the
                              refresh calls authenticate with it too (token endpoint: Iceberg's
                              default, <uri>/v1/oauth/tokens, unless CATALOG_OAUTH2_SERVER_URI)
  CATALOG_OAUTH2_SERVER_URI   optional token endpoint
  CATALOG_SCOPE               optional OAuth2 scope (Iceberg's default: catalog)
  LAKEGATE_SPARK_JARS         comma-separated jars (iceberg-spark-runtime, iceberg-aws-bundle)
  SPARK_NAMESPACE             namespace to create (default: spark)
  REFRESH_AFTER_SECONDS       how soon after being vended a credential enters Iceberg's refresh
                              window: the server's reported lifetime minus 300 s (default 15)
  INSERT_BATCHES              number of INSERT statements (default 3)
  ROWS_PER_BATCH              rows per INSERT (default 1000)

The job holds no storage keys: every S3 request is signed with credentials the catalog vended
(`header.X-Iceberg-Access-Delegation=vended-credentials`). Iceberg's VendedCredentialsProvider
(iceberg-aws 1.11) takes the vended credential from the table's config on its first use only if
the reported expiry is more than 5 minutes away; otherwise it fetches a new one from
`client.refresh-credentials-endpoint` right away. (Later refreshes of a credential it already
holds are prefetched at a random moment between 5 and 1 minute before the reported expiry: AWS
SDK CachedSupplier jitter, so they cannot be timed by a short job.)

So two statements run as one task (COALESCE(1)) whose UDF holds back the first row for longer
than REFRESH_AFTER_SECONDS: nothing is written to S3 until then, and the table's FileIO must
refresh before it can write the data file and the manifests:
  - the last INSERT (a refresh of the existing table's credentials), and
  - the CREATE TABLE ... AS SELECT (a staged create: the refresh of the staged table's
    credentials falls between its stage-create and its commit).

Prints one JSON object per line on stdout: one per step, then {"summary": true, ...}.
"""

import sys
import time
import traceback

import lakegate_spark
from lakegate_spark import emit

CATALOG = "lake"


def now_ms():
    return int(time.time() * 1000)


APP = "lakegate-vended-ctas"


def configure(conf, env):
    # Table caching is off (rest_catalog): each statement loads the table afresh, a new FileIO holding the credential
    # vended with that load, rather than reusing a cached table whose FileIO already holds one. No s3.endpoint,
    # s3.path-style-access, client.region nor keys: all come vended.
    lakegate_spark.rest_catalog_from_env(conf, CATALOG, env, delegation="vended-credentials")


def job(spark, env):
    namespace = env.get("SPARK_NAMESPACE", "spark")
    refresh_after = float(env.get("REFRESH_AFTER_SECONDS", "15"))
    batches = int(env.get("INSERT_BATCHES", "3"))
    rows = int(env.get("ROWS_PER_BATCH", "1000"))
    pause = refresh_after + 5

    from pyspark.sql.types import LongType

    results = {"summary": True, "ok": False, "failed": 0}
    step = "start"
    try:
        emit({"step": step, "status": "ok", "spark": spark.version})

        def pause_on_row(row_id, target):
            if row_id == target:
                time.sleep(pause)  # the table's vended credential enters the refresh window meanwhile
            return row_id

        spark.udf.register("lakegate_pause", pause_on_row, LongType())

        def sql(name, statement):
            t0 = now_ms()
            spark.sql(statement).collect()
            t1 = now_ms()
            emit({"step": name, "status": "ok", "started_ms": t0, "ended_ms": t1})

        events = f"{CATALOG}.{namespace}.events"
        copy = f"{CATALOG}.{namespace}.events_ctas"

        step = "create_namespace"
        sql(step, f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{namespace}")
        step = "create_table"
        sql(step, f"CREATE TABLE {events} (id BIGINT, batch INT, payload STRING) USING iceberg")

        for b in range(batches):
            step = f"insert_{b}"
            first, last = b * rows, (b + 1) * rows
            if b < batches - 1:
                sql(
                    step,
                    f"INSERT INTO {events} SELECT id, {b} AS batch, concat('row-', CAST(id AS STRING)) AS payload "
                    f"FROM range({first}, {last})",
                )
            else:  # one task, paused before it writes anything
                sql(
                    step,
                    f"INSERT INTO {events} SELECT lakegate_pause(id, {first}) AS id, {b} AS batch, "
                    f"concat('row-', CAST(id AS STRING)) AS payload FROM range({first}, {last}, 1, 1)",
                )

        # A staged create (stage-create POST, data file, manifests, then one commit POST), run as
        # one task paused on row 0 before it writes anything.
        step = "ctas"
        sql(
            step,
            f"CREATE TABLE {copy} USING iceberg AS "
            f"SELECT /*+ COALESCE(1) */ lakegate_pause(id, 0) AS id, batch, payload FROM {events}",
        )

        step = "read_back"
        counts = {}
        for name, table in (("events", events), ("events_ctas", copy)):
            row = spark.sql(f"SELECT count(*) AS n, sum(id) AS s, count(DISTINCT batch) AS b FROM {table}").collect()[0]
            counts[name] = {"rows": row["n"], "sum_id": row["s"], "batches": row["b"]}
        snapshots = spark.sql(f"SELECT count(*) AS n FROM {events}.snapshots").collect()[0]["n"]
        emit({"step": step, "status": "ok", "counts": counts, "events_snapshots": snapshots})
        results.update(ok=True, counts=counts, expected_rows=batches * rows)
    except Exception as e:  # report the failing step as JSON, details on stderr
        traceback.print_exc()
        emit({"step": step, "status": "error", "error": f"{type(e).__name__}: {e}"[:2000]})
        results["failed"] = 1
    emit(results)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-"))
