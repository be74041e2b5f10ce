"""Spark 4.1 + Iceberg 1.11 with server-side scan planning (test/interop/planning-spark.test.ts).

A one-shot job, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/server_planning.py`). Configured by env: CATALOG_URI,
CATALOG_WAREHOUSE, CATALOG_CREDENTIAL, LAKEGATE_SPARK_JARS, and VENDED=1 for a warehouse on S3 (MinIO) read and
written with vended credentials only (S3FileIO, X-Iceberg-Access-Delegation: vended-credentials, no keys).

Two catalogs on the same warehouse: `client` (Iceberg's default, client-side planning) and `server` with
scan-planning-mode=server (Iceberg 1.11 RESTSessionCatalog then plans through POST .../plan and .../tasks). Through
`client`: a v2 table partitioned by (category, days(ts)), merge-on-read deletes and updates (position delete files),
several inserts. Then each query runs through both catalogs; the job prints one JSON line with, per query, whether the
rows are equal and how many there were, and a final {"summary": true, ...}.
"""

import sys

import lakegate_spark
from lakegate_spark import emit

APP = "lakegate-server-planning"


def configure(conf, env):
    for name, mode in (("client", None), ("server", "server")):
        lakegate_spark.rest_catalog(
            conf,
            name,
            uri=env["CATALOG_URI"],
            warehouse=env["CATALOG_WAREHOUSE"],
            credential=env["CATALOG_CREDENTIAL"],
            # VENDED=1: no storage keys in the session; every file is read and written with credentials the catalog
            # vends (the server-mode catalog: those of the plan answer, read-only).
            delegation="vended-credentials" if env.get("VENDED") == "1" else None,
            conf={"scan-planning-mode": mode} if mode else None,
        )


def job(spark, env):
    summary = {"summary": True, "ok": False, "failed": 0, "queries": {}}
    step = "write"
    try:
        t = "client.planning.events"
        spark.sql("CREATE NAMESPACE IF NOT EXISTS client.planning").collect()
        spark.sql(
            f"CREATE TABLE {t} (id BIGINT, category STRING, ts TIMESTAMP, amount DOUBLE) USING iceberg "
            "PARTITIONED BY (category, days(ts)) TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read', "
            "'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')"
        ).collect()
        for k, (category, day) in enumerate([("a", 1), ("b", 2), ("a", 3), ("c", 1), ("b", 5), ("d", 2)]):
            values = ", ".join(f"({k * 10 + i}, '{category}', TIMESTAMP '2026-01-0{day} 12:00:00', {(k * 10 + i) / 2})" for i in range(5))
            spark.sql(f"INSERT INTO {t} VALUES {values}").collect()
        spark.sql(f"DELETE FROM {t} WHERE id IN (1, 22, 33)").collect()
        spark.sql(f"UPDATE {t} SET amount = -1 WHERE id = 12").collect()
        summary["delete_files"] = spark.sql(f"SELECT count(*) AS n FROM {t}.delete_files").collect()[0].n
        summary["data_files"] = spark.sql(f"SELECT count(*) AS n FROM {t}.data_files").collect()[0].n
        queries = {
            "all": "",
            "eq_id": "WHERE id = 23",
            "lt_id": "WHERE id < 12",
            "gt_eq_id": "WHERE id >= 40",
            "not_eq": "WHERE id != 23",
            "in_category": "WHERE category IN ('b', 'c')",
            "eq_category": "WHERE category = 'a'",
            "is_null": "WHERE amount IS NULL",
            "not": "WHERE NOT (amount > 10)",
            "and": "WHERE category = 'a' AND id > 25",
            "or": "WHERE category = 'd' OR id < 3",
            "ts": "WHERE ts >= TIMESTAMP '2026-01-03 00:00:00'",
        }
        for name, where in queries.items():
            step = f"query_{name}"
            q = lambda c: sorted(tuple(r) for r in spark.sql(f"SELECT id, category, amount FROM {c}.planning.events {where}").collect())
            expected, got = q("client"), q("server")
            summary["queries"][name] = {"equal": expected == got, "rows": len(got)}
        summary["ok"] = True
    except Exception as e:  # noqa: BLE001
        lakegate_spark.fail_step(summary, step, e)
    emit(summary)
    return 0


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-planning-"))
