"""Spark 4.1 + Iceberg 1.11 against row-filter and column-mask policies (test/interop/policies-spark.test.ts, issue 53).

A one-shot job, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/policies.py`). Configured by env: CATALOG_URI, CATALOG_WAREHOUSE,
WRITER_CREDENTIAL and READER_CREDENTIALS (a JSON object: reader name -> "client_id:client_secret"), POLICY_READY (a
file the job waits for between writing and reading: the test sets the policies meanwhile), LAKEGATE_SPARK_JARS.
Every catalog holds no storage key: the writer writes with vended credentials (client-side planning), each reader
reads through scan-planning-mode=server with the plan answers' credentials only.

The writer makes crm.people (id, region, email, born) partitioned by region, v2 with merge-on-read deletes: three
inserts, then a DELETE that writes position delete files; then crm.people_v3, the same rows in a format-version 3 table
whose two merge-on-read DELETEs write deletion vectors (Puffin; the second replaces the first for the files it
touches). The job prints {"step": "written", "rows": ..., "rows_v3": ...}, waits for POLICY_READY, then one line per
reader {"step": "read:<name>", "rows": [[id, region, email, born], ...], "rows_v3": [...], "lineage_v3": [[id, _row_id,
_last_updated_sequence_number], ...]} (the written line has lineage_v3 too) and a final summary line.
"""

import json
import os
import sys
import time

import lakegate_spark
from lakegate_spark import emit

TABLE = "crm.people"
TABLE_V3 = "crm.people_v3"


def lineage_of(spark, catalog):
    """The v3 table's rows' lineage: [[id, _row_id, _last_updated_sequence_number], ...] by id."""
    got = spark.sql(f"SELECT id, _row_id, _last_updated_sequence_number FROM {catalog}.{TABLE_V3} ORDER BY id").collect()
    return [[r.id, r._row_id, r._last_updated_sequence_number] for r in got]


def rows_of(spark, catalog, table=TABLE):
    got = spark.sql(f"SELECT id, region, email, born FROM {catalog}.{table} ORDER BY id").collect()
    return [[r.id, r.region, r.email, r.born.isoformat() if r.born is not None else None] for r in got]


APP = "lakegate-policies"


def configure(conf, env):
    common = {"uri": env["CATALOG_URI"], "warehouse": env["CATALOG_WAREHOUSE"], "delegation": "vended-credentials"}
    lakegate_spark.rest_catalog(conf, "writer", credential=env["WRITER_CREDENTIAL"], **common)
    for name, credential in json.loads(env["READER_CREDENTIALS"]).items():
        lakegate_spark.rest_catalog(conf, name, credential=credential, conf={"scan-planning-mode": "server"}, **common)


def job(spark, env):
    readers = json.loads(env["READER_CREDENTIALS"])
    summary = {"summary": True, "ok": False, "failed": 0}
    step = "write"
    try:
        spark.sql("CREATE NAMESPACE IF NOT EXISTS writer.crm").collect()
        for table, version in ((TABLE, 2), (TABLE_V3, 3)):
            spark.sql(
                f"CREATE TABLE writer.{table} (id BIGINT, region STRING, email STRING, born DATE) USING iceberg "
                f"PARTITIONED BY (region) TBLPROPERTIES ('format-version'='{version}', 'write.delete.mode'='merge-on-read', "
                "'write.update.mode'='merge-on-read')"
            ).collect()
            for start in (0, 10, 20):
                values = ", ".join(
                    f"({i}, '{'us' if i % 3 == 1 else 'eu'}', {'NULL' if i % 7 == 6 else repr(f'User{i}@Example{i % 4}.org')}, "
                    f"DATE_ADD(DATE '1970-01-01', {400 * i + 17}))"
                    for i in range(start, start + 10)
                )
                spark.sql(f"INSERT INTO writer.{table} VALUES {values}").collect()
            spark.sql(f"DELETE FROM writer.{table} WHERE id IN (3, 12, 24)").collect()
        summary["delete_files"] = spark.sql(f"SELECT count(*) AS n FROM writer.{TABLE}.delete_files").collect()[0].n
        # v3: a second DELETE over files that already have a DV writes a new DV holding both (it replaces the first).
        spark.sql(f"DELETE FROM writer.{TABLE_V3} WHERE id % 5 = 4").collect()
        formats = spark.sql(f"SELECT DISTINCT file_format FROM writer.{TABLE_V3}.delete_files").collect()
        summary["v3_delete_formats"] = sorted(r.file_format for r in formats)
        emit(
            {
                "step": "written",
                "rows": rows_of(spark, "writer"),
                "rows_v3": rows_of(spark, "writer", TABLE_V3),
                "lineage_v3": lineage_of(spark, "writer"),
            }
        )
        step = "wait_for_policies"
        ready = env["POLICY_READY"]
        deadline = time.time() + 300
        while not os.path.exists(ready):
            if time.time() > deadline:
                raise TimeoutError("the test did not set the policies within 300 s")
            time.sleep(0.2)
        for name in readers:
            step = f"read:{name}"
            emit(
                {
                    "step": step,
                    "rows": rows_of(spark, name),
                    "rows_v3": rows_of(spark, name, TABLE_V3),
                    "lineage_v3": lineage_of(spark, name),
                }
            )
        summary["ok"] = True
    except Exception as e:  # noqa: BLE001
        lakegate_spark.fail_step(summary, step, e)
    emit(summary)
    return 0


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-policies-"))
