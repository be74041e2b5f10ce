"""Spark + Iceberg 1.11 S3FileIO with remote signing: the catalog signs every S3 request, the job holds no key.

Run through `scripts/peers/spark.sh run peers/spark/remote_signing.py`. Configured only by env:

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

import json
import os
import tempfile
import time
import traceback


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    leaked = sorted(k for k in os.environ if k.startswith("AWS_"))
    if leaked:
        raise SystemExit(f"refusing to run with AWS_* variables set: {leaked}")
    ns = os.environ.get("SPARK_NAMESPACE", "signed")
    work = tempfile.mkdtemp(prefix="lakegate-spark-signing-")
    os.chdir(work)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("lakegate-remote-signing")
        .master("local[2]")
        .config("spark.jars", os.environ["LAKEGATE_SPARK_JARS"])
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", os.path.join(work, "spark-warehouse"))
        .config("spark.local.dir", os.path.join(work, "local"))
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
    )
    for name, credential in (("lake", os.environ["CATALOG_CREDENTIAL"]), ("reader", os.environ["READER_CREDENTIAL"])):
        cat = f"spark.sql.catalog.{name}"
        builder = (
            builder.config(cat, "org.apache.iceberg.spark.SparkCatalog")
            .config(f"{cat}.type", "rest")
            .config(f"{cat}.uri", os.environ["CATALOG_URI"])
            .config(f"{cat}.warehouse", os.environ["CATALOG_WAREHOUSE"])
            .config(f"{cat}.credential", credential)
            .config(f"{cat}.rest.auth.type", "oauth2")
            .config(f"{cat}.header.X-Iceberg-Access-Delegation", "remote-signing")
            .config(f"{cat}.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
            .config(f"{cat}.cache-enabled", "false")
            # No s3.endpoint, region or keys: the endpoint and region come with the table, and there is no key.
        )

    summary = {"summary": True, "ok": False, "failed": 0, "steps": {}}
    spark = None
    step = "start_spark"
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("WARN")

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
        summary["failed"] = 1
        emit({"step": step, "status": "fail", "error": f"{type(e).__name__}: {str(e)[:3000]}", "trace": traceback.format_exc()[-4000:]})
    finally:
        emit(summary)
        if spark is not None:
            spark.stop()


if __name__ == "__main__":
    main()
