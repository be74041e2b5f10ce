"""Spark's side of bench/rewrite-manifests.mjs --spark: Iceberg's rewrite_manifests procedure on a table of Lakegate's
REST catalog (a local file warehouse, read and written with Iceberg's HadoopFileIO).

Run through `scripts/peers/spark.sh run bench/rewrite-manifests-spark.py`. Configured by env: CATALOG_URI,
CATALOG_WAREHOUSE, TABLE (namespace.name), SPARK_DRIVER_MEMORY. Prints one JSON line for the session start and one for
the procedure call (wall seconds, the driver JVM's CPU seconds, VmRSS and VmHWM, the procedure's result), then the
manifests of the table's new snapshot, and a final {"summary": true, ...}. The /proc readers are bench/maintenance-spark.py's.
"""

import importlib.util
import os
import shutil
import time
import traceback

import lakegate_spark  # peers/spark/, on PYTHONPATH through scripts/peers/spark.sh run
from lakegate_spark import emit

_spec = importlib.util.spec_from_file_location("maintenance_spark", os.path.join(os.path.dirname(os.path.abspath(__file__)), "maintenance-spark.py"))
proc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(proc)


def main():
    work = lakegate_spark.work_dir("lakegate-spark-rewrite-manifests-")
    table = os.environ["TABLE"]
    started = time.monotonic()
    builder = lakegate_spark.builder("lakegate-rewrite-manifests-bench", work, driver_memory=os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
    builder = lakegate_spark.rest_catalog(builder, "cat", uri=os.environ["CATALOG_URI"], warehouse=os.environ["CATALOG_WAREHOUSE"])
    spark = lakegate_spark.start(builder)
    pid = proc.jvm_pid()
    summary = {"summary": True, "ok": False}
    try:
        spark.sql("SHOW NAMESPACES IN cat").collect()
        emit({"step": "session", "seconds": round(time.monotonic() - started, 3), "cpu_seconds": round(proc.cpu_seconds(pid), 2), "hwm_kib": proc.status_kib(pid, "VmHWM")})
        t0 = time.monotonic()
        cpu0 = proc.cpu_seconds(pid)
        rows = spark.sql(f"CALL cat.system.rewrite_manifests(table => '{table}')").collect()
        emit(
            {
                "step": "rewrite-manifests",
                "seconds": round(time.monotonic() - t0, 3),
                "cpu_seconds": round(proc.cpu_seconds(pid) - cpu0, 2),
                "rss_kib": proc.status_kib(pid, "VmRSS"),
                "hwm_kib": proc.status_kib(pid, "VmHWM"),
                "result": rows[0].asDict(),
            }
        )
        manifests = spark.sql(f"SELECT content, count(*) AS n, sum(existing_data_files_count + added_data_files_count) AS files FROM cat.{table}.manifests GROUP BY content").collect()
        summary.update(ok=True, manifests=[r.asDict() for r in manifests])
    except Exception:
        error = traceback.format_exc()
        summary["error"] = error[:3000] + ("\n…\n" + error[-1000:] if len(error) > 4000 else "")
    finally:
        emit(summary)
        lakegate_spark.stop(spark)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
