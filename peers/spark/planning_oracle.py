"""A corpus of Iceberg tables written by Spark through a Lakegate catalog, and Iceberg Java's own
client-side plan of a battery of filters on each: the oracle for the server's scan planner.

A one-shot job, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/planning_oracle.py`: sets JAVA_HOME, PYSPARK_PYTHON and LAKEGATE_SPARK_JARS). Configured only by env:

  CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL, CATALOG_OAUTH2_SERVER_URI   as in vended_ctas.py
  SPARK_NAMESPACE    namespace to create the tables in
  FILTERS_FILE       JSON: {table: {target: [{"name": ..., "filter": <REST expression JSON>}]}}, where a
                     target is "current", "snapshot" (the table's older snapshot recorded below) or
                     "branch" (branch b1)

The tables (Spark SQL, merge-on-read row-level operations, vended credentials only):
  t_part  v2, partitioned by identity(category), bucket(4, id), days(ts); then the spec evolves (adds
          truncate(2, name), replaces days(ts) with hours(ts)) and the schema (adds score, renames name to
          label); DELETE (file- and partition-scoped position deletes), UPDATE, MERGE; branch b1 with its own
          insert and delete. "snapshot" is the snapshot before any evolution.
  t_v3    format-version 3, partitioned by category: its DELETE and UPDATE write deletion vectors (Puffin).
  t_eq    v2, unpartitioned, then partitioned by category; Spark cannot write equality deletes, so three on v are
          written with Iceberg Java's own API in this driver (GenericFileWriterFactory, RowDelta): a global
          one (the unpartitioned spec 0) and two scoped to category 'a' of spec 1, one of which (v = 5000) no
          data file's stats can overlap. "snapshot" is the one
          before those deletes.

For each (table, target, filter) the driver plans with Iceberg Java 1.11 exactly as a client in client
planning mode does: Spark3Util.loadIcebergTable, the filter from THE SAME JSON through
ExpressionParser.fromJson(json, scanSchema), table.newScan()[.useSnapshot|.useRef].filter(e).planFiles(),
and prints one JSON line per plan: {"plan": {table, target, name, snapshot_id, tasks: [[data file,
[sorted delete files]]]}}, or {"plan": {..., "error": ...}} when Java's planning throws (Iceberg 1.11 throws
a NullPointerException for `in` on a string partition column with a null partition value: its Evaluator asks
a CharSequenceSet whether it contains null). Then {"summary": true, "ok": true, ...}.
"""

import json
import sys
import traceback

import lakegate_spark
from lakegate_spark import emit

CATALOG = "lake"
MOR = (
    "'format-version'='{v}', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read', "
    "'write.merge.mode'='merge-on-read', 'write.distribution-mode'='none'"
)


def sql_str(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def part_rows(lo, hi, with_score=False):
    """Rows of t_part: ids lo..hi-1, categories a/b/c/NULL, timestamps over four days around 1970 and 2024,
    amounts with NULL and NaN, names name_<id>."""
    rows = []
    for i in range(lo, hi):
        category = [None, "a", "b", "c"][i % 4]
        if i % 5 == 0:
            ts = f"TIMESTAMP '1969-12-31 {10 + i % 12:02d}:30:00'"
        else:
            ts = f"TIMESTAMP '2024-01-0{1 + i % 3} {i % 24:02d}:15:00'"
        amount = "NULL" if i % 9 == 0 else ("CAST('NaN' AS DOUBLE)" if i % 13 == 0 else f"{i * 1.5}D")
        cols = [f"{i}L", sql_str(category), ts, amount, sql_str(f"name_{i}")]
        if with_score:
            cols.append("NULL" if i % 6 == 0 else str(i % 10))
        rows.append("(" + ", ".join(cols) + ")")
    return ", ".join(rows)


APP = "lakegate-planning-oracle"


def configure(conf, env):
    conf.config("spark.sql.session.timeZone", "UTC")
    lakegate_spark.rest_catalog_from_env(conf, CATALOG, env, delegation="vended-credentials")


def job(spark, env):
    ns = env.get("SPARK_NAMESPACE", "oracle")
    with open(env["FILTERS_FILE"], encoding="utf-8") as f:
        battery = json.load(f)

    summary = {"summary": True, "ok": False, "plans": 0}
    step = "corpus"
    try:
        jvm = spark._jvm

        def sql(statement):
            spark.sql(statement).collect()

        def table(name):
            return jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, f"{CATALOG}.{ns}.{name}")

        def current_snapshot(name):
            return table(name).currentSnapshot().snapshotId()

        sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{ns}")
        targets = {}

        # ---------------------------------------------------------------- t_part
        step = "t_part"
        t = f"{CATALOG}.{ns}.t_part"
        sql(
            f"CREATE TABLE {t} (id BIGINT, category STRING, ts TIMESTAMP, amount DOUBLE, name STRING) USING iceberg "
            f"PARTITIONED BY (category, bucket(4, id), days(ts)) TBLPROPERTIES ({MOR.format(v=2)})"
        )
        sql(f"INSERT INTO {t} VALUES {part_rows(0, 40)}")
        sql(f"INSERT INTO {t} VALUES {part_rows(40, 80)}")
        before_evolution = current_snapshot("t_part")
        sql(f"ALTER TABLE {t} ADD PARTITION FIELD truncate(2, name)")
        sql(f"ALTER TABLE {t} REPLACE PARTITION FIELD ts_day WITH hours(ts)")
        sql(f"INSERT INTO {t} VALUES {part_rows(80, 110)}")
        sql(f"ALTER TABLE {t} ADD COLUMN score INT")
        sql(f"ALTER TABLE {t} RENAME COLUMN name TO label")
        sql(f"INSERT INTO {t} VALUES {part_rows(110, 140, with_score=True)}")
        sql(f"ALTER TABLE {t} CREATE BRANCH b1")
        sql(f"INSERT INTO {t}.branch_b1 VALUES {part_rows(140, 150, with_score=True)}")
        sql(f"DELETE FROM {t}.branch_b1 WHERE id % 3 = 0 AND id < 100 OR id = 141")
        # main: file-scoped position deletes (the default granularity), then partition-scoped ones
        sql(f"DELETE FROM {t} WHERE id % 7 = 0")
        sql(f"UPDATE {t} SET amount = amount + 1 WHERE category = 'b' AND id < 60")
        sql(
            f"MERGE INTO {t} USING (SELECT id, id % 3 AS s FROM range(100, 160)) src ON {t}.id = src.id "
            f"WHEN MATCHED THEN UPDATE SET score = src.s "
            f"WHEN NOT MATCHED THEN INSERT (id, category, ts, amount, label, score) "
            f"VALUES (src.id, 'c', TIMESTAMP '2024-01-05 01:00:00', 1.0D, concat('merged_', src.id), src.s)"
        )
        sql(f"ALTER TABLE {t} SET TBLPROPERTIES ('write.delete.granularity'='partition')")
        sql(f"DELETE FROM {t} WHERE id % 11 = 0")
        targets["t_part"] = {"current": None, "snapshot": before_evolution, "branch": "b1"}

        # ---------------------------------------------------------------- t_v3
        step = "t_v3"
        t = f"{CATALOG}.{ns}.t_v3"
        sql(f"CREATE TABLE {t} (id BIGINT, category STRING, v INT) USING iceberg PARTITIONED BY (category) TBLPROPERTIES ({MOR.format(v=3)})")
        rows = lambda lo, hi: ", ".join(f"({i}L, '{'abc'[i % 3]}', {i % 17})" for i in range(lo, hi))  # noqa: E731
        sql(f"INSERT INTO {t} VALUES {rows(0, 60)}")
        sql(f"INSERT INTO {t} VALUES {rows(60, 120)}")
        v3_before = current_snapshot("t_v3")
        sql(f"DELETE FROM {t} WHERE id % 5 = 0")
        sql(f"DELETE FROM {t} WHERE id % 3 = 0")  # a second DV for the same files replaces the first
        sql(f"UPDATE {t} SET v = v + 100 WHERE id BETWEEN 10 AND 30")
        targets["t_v3"] = {"current": None, "snapshot": v3_before}

        # ---------------------------------------------------------------- t_eq
        step = "t_eq"
        t = f"{CATALOG}.{ns}.t_eq"
        sql(f"CREATE TABLE {t} (id BIGINT, category STRING, v INT) USING iceberg TBLPROPERTIES ({MOR.format(v=2)})")
        sql(f"INSERT INTO {t} VALUES {rows(0, 30)}")
        sql(f"INSERT INTO {t} VALUES {rows(30, 60)}")
        sql(f"ALTER TABLE {t} ADD PARTITION FIELD category")
        sql(f"INSERT INTO {t} VALUES {rows(60, 90)}")
        eq_before = current_snapshot("t_eq")
        write_equality_deletes(spark, table("t_eq"))
        sql(f"INSERT INTO {t} VALUES {rows(90, 100)}")  # newer than the deletes: they do not apply to it
        targets["t_eq"] = {"current": None, "snapshot": eq_before}

        # ---------------------------------------------------------------- plans
        step = "plan"
        for name, by_target in battery.items():
            for target, filters in by_target.items():
                ref = targets[name][target]
                for f in filters:
                    t = table(name)
                    scan = t.newScan()
                    if target == "snapshot":
                        scan = scan.useSnapshot(ref)
                    elif target == "branch":
                        scan = scan.useRef(ref)
                    plan = {"table": name, "target": target, "name": f["name"]}
                    try:
                        expr = jvm.org.apache.iceberg.expressions.ExpressionParser.fromJson(json.dumps(f["filter"]), scan.schema())
                        scan = scan.filter(expr)
                        plan["snapshot_id"] = str(scan.snapshot().snapshotId())
                        tasks = []
                        iterable = scan.planFiles()
                        it = iterable.iterator()
                        while it.hasNext():
                            task = it.next()
                            tasks.append([task.file().location(), sorted(d.location() for d in task.deletes())])
                        iterable.close()
                        plan["tasks"] = sorted(tasks)
                    except Exception as e:  # noqa: BLE001 - Java's own failure is part of the answer
                        plan["error"] = str(e)[:2000]
                    emit({"plan": plan})
                    summary["plans"] += 1
        summary["ok"] = True
    except Exception:  # noqa: BLE001 - reported to the test, which fails on it
        summary["failed_step"] = step
        summary["error"] = traceback.format_exc()[-4000:]
    emit(summary)
    return 0 if summary["ok"] else 1


def write_equality_deletes(spark, table):
    """Equality deletes on `v` (an int: py4j hands Java small Python ints as Integer), written and committed
    with Iceberg Java's API (Spark SQL cannot)."""
    jvm = spark._jvm
    gateway = spark.sparkContext._gateway
    schema = table.schema()
    field_id = schema.findField("v").fieldId()
    ids = gateway.new_array(jvm.int, 1)
    ids[0] = field_id
    columns = jvm.java.util.ArrayList()
    columns.add("v")
    delete_schema = schema.select(columns)
    parquet = jvm.org.apache.iceberg.FileFormat.PARQUET
    factory = (
        getattr(jvm.org.apache.iceberg.data, "GenericFileWriterFactory$Builder")(table)
        .dataFileFormat(parquet)
        .deleteFileFormat(parquet)
        .equalityFieldIds(ids)
        .equalityDeleteRowSchema(delete_schema)
        .build()
    )
    files = jvm.org.apache.iceberg.io.OutputFileFactory.builderFor(table, 1, 1).format(parquet).build()
    specs = table.specs()

    def write(spec, partition, values):
        out = files.newOutputFile() if partition is None else files.newOutputFile(spec, partition)
        writer = factory.newEqualityDeleteWriter(out, spec, partition)
        for v in values:
            record = jvm.org.apache.iceberg.data.GenericRecord.create(delete_schema)
            record.setField("v", v)
            writer.write(record)
        writer.close()
        return writer.toDeleteFile()

    unpartitioned = specs.get(0)
    by_category = specs.get(1)
    partition = jvm.org.apache.iceberg.data.GenericRecord.create(by_category.partitionType())
    partition.set(0, "a")
    delta = table.newRowDelta()
    delta.addDeletes(write(unpartitioned, None, [3, 4]))  # global: every partition, both specs
    delta.addDeletes(write(by_category, partition, [5, 6]))  # category 'a' of spec 1 only
    delta.addDeletes(write(by_category, partition, [5000]))  # no data file's range of v reaches it
    delta.commit()


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-oracle-"))
