"""Spark + Iceberg 1.11 S3FileIO with remote signing: the catalog signs every S3 request, the job holds no key.

A one-shot job, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/remote_signing.py`). Configured only by env:

  CATALOG_URI          Lakegate catalog URI
  CATALOG_WAREHOUSE    warehouse name
  CATALOG_CREDENTIAL   "client_id:client_secret" of the writer (OAuth2 client credentials)
  READER_CREDENTIAL    "client_id:client_secret" of a principal with table:read-data only
  LAKEGATE_SPARK_JARS  comma-separated jars (iceberg-spark-runtime, iceberg-aws-bundle)
  SPARK_NAMESPACE      namespace to create (default: signed)

The catalogs ask for `remote-signing` only (header.X-Iceberg-Access-Delegation); the table config then
carries s3.remote-signing-enabled, signer.endpoint and the storage endpoint, and S3FileIO's signer client
asks the catalog to sign each request (fetching its own token with the catalog's credential).
Steps: create, insert, CTAS, MERGE, read back as the writer; as the reader, read (allowed) and insert
(refused by the signer). Prints one JSON object per step, then {"summary": true, ...}.
"""

import sys
import time

import lakegate_spark
from lakegate_spark import emit


APP = "lakegate-remote-signing"


def configure(conf, env):
    for name, credential in (("lake", env["CATALOG_CREDENTIAL"]), ("reader", env["READER_CREDENTIAL"])):
        lakegate_spark.rest_catalog(
            conf,
            name,
            uri=env["CATALOG_URI"],
            warehouse=env["CATALOG_WAREHOUSE"],
            credential=credential,
            delegation="remote-signing",
        )


def job(spark, env):
    ns = env.get("SPARK_NAMESPACE", "signed")
    summary = {"summary": True, "ok": False, "failed": 0, "steps": {}}
    step = "create"
    try:

        def sql(name, statement):
            t0 = time.time()
            out = spark.sql(statement).collect()
            emit({"step": name, "status": "ok", "ms": int((time.time() - t0) * 1000)})
            return out

        t = f"lake.{ns}.events"
        step = "create"
        sql(step, f"CREATE NAMESPACE IF NOT EXISTS lake.{ns}")
        sql(step, f"CREATE TABLE {t} (id BIGINT, name STRING) USING iceberg")
        step = "insert"
        sql(step, f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        step = "ctas"
        sql(step, f"CREATE TABLE lake.{ns}.events_ctas USING iceberg AS SELECT * FROM {t}")
        step = "merge"
        sql(step, f"MERGE INTO {t} d USING (SELECT 2 AS id, 'B' AS name UNION ALL SELECT 4, 'd') s ON d.id = s.id "
                  "WHEN MATCHED THEN UPDATE SET d.name = s.name WHEN NOT MATCHED THEN INSERT *")
        step = "read"
        rows = sorted((r.id, r.name) for r in sql(step, f"SELECT id, name FROM {t}"))
        ctas = sql(step, f"SELECT count(*) AS n FROM lake.{ns}.events_ctas")[0].n
        summary["steps"]["read"] = {"rows": rows, "ctas": ctas}
        step = "reader_read"
        summary["steps"]["reader_read"] = sql(step, f"SELECT count(*) AS n FROM reader.{ns}.events")[0].n
        step = "reader_write"
        try:
            spark.sql(f"INSERT INTO reader.{ns}.events VALUES (9, 'z')").collect()
            summary["steps"]["reader_write"] = "allowed"
        except Exception as e:  # noqa: BLE001 - the signer's refusal surfaces as an S3/Spark error
            summary["steps"]["reader_write"] = f"refused: {type(e).__name__}: {str(e)[:1500]}"
        emit({"step": step, "status": "ok"})
        summary["after_reader"] = sorted((r.id, r.name) for r in spark.sql(f"SELECT id, name FROM {t}").collect())
        summary["ok"] = True
    except Exception as e:  # noqa: BLE001
        lakegate_spark.fail_step(summary, step, e)
    emit(summary)
    return 0


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-signing-"))
