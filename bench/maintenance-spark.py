"""Spark's side of bench/maintenance.mjs: Iceberg's expire_snapshots and remove_orphan_files procedures on a table
of Lakegate's REST catalog (a local file warehouse, read and written with Iceberg's HadoopFileIO; with S3_ENDPOINT set,
a warehouse on MinIO through Iceberg's S3FileIO: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION).

Run through `scripts/peers/spark.sh run bench/maintenance-spark.py`. Configured by env: CATALOG_URI,
CATALOG_WAREHOUSE, TABLE (namespace.name), EXPIRE_OLDER_THAN_MS, RETAIN_LAST, ORPHAN_OLDER_THAN_MS (epoch ms),
OUT_DIR (where the orphan lists go), SPARK_DRIVER_MEMORY. Prints one JSON line per step: its wall seconds and the
driver JVM's CPU seconds and resident set (VmRSS now, VmHWM peak so far) from /proc, and a final {"summary": true, ...}.
Session start (JVM launch, SparkSession, catalog initialization) is timed apart from the procedure calls.
"""

import json
import os
import shutil
import time
import traceback

import lakegate_spark  # peers/spark/, on PYTHONPATH through scripts/peers/spark.sh run
from lakegate_spark import emit


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    """utime + stime of the process and all its threads (the JVM's executors, GC and compiler threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jvm_pid():
    """The driver JVM: the java process among this process's descendants (local mode: it runs the executors too)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError):
            continue
    pending = [os.getpid()]
    while pending:
        pid = pending.pop()
        for child in children.get(pid, []):
            try:
                with open(f"/proc/{child}/comm") as f:
                    if f.read().strip() == "java":
                        return child
            except OSError:
                pass
            pending.append(child)
    return None


def ts(ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}"


def main():
    work = lakegate_spark.work_dir("lakegate-spark-maintenance-")
    out_dir = os.environ["OUT_DIR"]
    table = "cat." + os.environ["TABLE"]
    started = time.monotonic()
    conf = {"spark.sql.session.timeZone": "UTC"}
    catalog_conf = None
    s3 = os.environ.get("S3_ENDPOINT")
    if s3:
        # --s3: Iceberg's S3FileIO on MinIO (bulk deletes of up to 1000 keys), with the bucket's root keys.
        catalog_conf = {
            "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "s3.endpoint": s3,
            "s3.path-style-access": "true",
            "s3.access-key-id": os.environ["S3_ACCESS_KEY_ID"],
            "s3.secret-access-key": os.environ["S3_SECRET_ACCESS_KEY"],
            "client.region": os.environ["S3_REGION"],
        }
        # S3 cannot back-date objects, so the orphan cut-off is "now": remove_orphan_files refuses a cut-off less than
        # 24 hours old unless spark.testing is set (its one escape from that check; the table is the bench's alone).
        conf["spark.testing"] = "true"
    builder = lakegate_spark.builder(
        "lakegate-maintenance-bench",
        work,
        driver_memory=os.environ.get("SPARK_DRIVER_MEMORY", "2g"),
        conf=conf,
    )
    # No delegation: a local file warehouse read with Iceberg's HadoopFileIO, or (--s3) S3FileIO with the bucket's keys.
    builder = lakegate_spark.rest_catalog(
        builder, "cat", uri=os.environ["CATALOG_URI"], warehouse=os.environ["CATALOG_WAREHOUSE"], conf=catalog_conf
    )
    spark = lakegate_spark.start(builder)
    pid = jvm_pid()
    summary = {"summary": True, "ok": False, "jvm_pid": pid}
    step = "session"
    try:
        # Initializes the catalog (GET /v1/config) outside the timed calls.
        spark.sql("SHOW NAMESPACES IN cat").collect()
        emit({"step": step, "seconds": round(time.monotonic() - started, 3), "cpu_seconds": round(cpu_seconds(pid), 2), "rss_kib": status_kib(pid, "VmRSS"), "hwm_kib": status_kib(pid, "VmHWM")})

        def timed(name, sql):
            t0 = time.monotonic()
            cpu0 = cpu_seconds(pid)
            rows = spark.sql(sql).collect()
            seconds = time.monotonic() - t0
            line = {"step": name, "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds(pid) - cpu0, 2), "rss_kib": status_kib(pid, "VmRSS"), "hwm_kib": status_kib(pid, "VmHWM")}
            return rows, line

        orphan_cutoff = ts(int(os.environ["ORPHAN_OLDER_THAN_MS"]))
        for name, dry in (("orphans-dry-run-before", True), ("expire", None), ("orphans-dry-run-after", True), ("orphans", False)):
            step = name
            if dry is None:
                rows, line = timed(name, f"CALL cat.system.expire_snapshots(table => '{os.environ['TABLE']}', older_than => TIMESTAMP '{ts(int(os.environ['EXPIRE_OLDER_THAN_MS']))}', retain_last => {int(os.environ['RETAIN_LAST'])})")
                line["result"] = rows[0].asDict()
            else:
                # On S3, list by prefix through S3FileIO (Hadoop's s3a is not on the class path).
                listing = ", prefix_listing => true" if s3 else ""
                rows, line = timed(name, f"CALL cat.system.remove_orphan_files(table => '{os.environ['TABLE']}', older_than => TIMESTAMP '{orphan_cutoff}', dry_run => {'true' if dry else 'false'}{listing})")
                paths = sorted(r["orphan_file_location"] for r in rows)
                with open(os.path.join(out_dir, f"spark-{name}.json"), "w") as f:
                    json.dump(paths, f)
                line["orphans"] = len(paths)
            emit(line)
        step = "snapshots"
        kept = [str(r["snapshot_id"]) for r in spark.sql(f"SELECT snapshot_id FROM {table}.snapshots").collect()]
        summary.update(ok=True, kept_snapshots=sorted(kept))
    except Exception:
        summary["step"] = step
        summary["error"] = traceback.format_exc()[-4000:]
    finally:
        summary["hwm_kib"] = status_kib(pid, "VmHWM") if pid else None
        emit(summary)
        spark.stop()
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
