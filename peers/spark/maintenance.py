"""Spark 4.1 + Iceberg 1.11 side of test/interop/maintenance-spark.test.ts (issue 39: maintenance run by the catalog).

A long-lived driver, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/maintenance.py`). One Spark session for the whole test file: the driver reads one JSON command per line
and answers each with one line `@@reply {json}` (Spark's own logging goes to stderr), so the test can run the catalog's maintenance between Spark's steps without starting Spark
again. Configured by env: CATALOG_URI, CATALOG_CREDENTIAL, LAKEGATE_SPARK_JARS, and per catalog name CATALOG_<NAME>
= "<uri> <warehouse>" (uri empty: CATALOG_URI). Every catalog is a REST catalog with vended credentials (S3FileIO,
X-Iceberg-Access-Delegation: vended-credentials): the session holds no storage key.

Commands ({"cmd": ...}):
  write    {table, inserts, fail_after, flaky}  creates the v2 table, then `inserts` one-row-batch INSERTs, a failed
           write through catalog `flaky` after insert `fail_after`, a copy-on-write MERGE, two more INSERTs, a
           merge-on-read MERGE (position delete files), one more INSERT; answers the snapshots (oldest first), the rows
           each reads, the failed write's error, and what every snapshot reaches (see reach)
  fail     {table, flaky}   one more failed write through `flaky`; answers its error and what the table reaches
  verify   {table, kept, expired}  rows of every kept snapshot, the error of time travel to every expired one, and
           what the kept snapshots reach
  create   {table, rows}    creates a table with those rows (table: catalog.ns.name)
  drop     {table, purge}   DROP TABLE [PURGE]
  read     {table}          the current rows, or the error
"""

import re
import sys

import lakegate_spark

APP = "lakegate-maintenance"


def configure(conf, env):
    conf.config("spark.sql.pyspark.jvmStacktrace.enabled", "true")
    for key, value in env.items():
        if not key.startswith("CATALOG_") or key in ("CATALOG_URI", "CATALOG_CREDENTIAL"):
            continue
        uri, warehouse = value.split(" ", 1)
        lakegate_spark.rest_catalog(
            conf,
            key[len("CATALOG_"):].lower(),
            uri=uri or env["CATALOG_URI"],
            warehouse=warehouse,
            credential=env["CATALOG_CREDENTIAL"],
            delegation="vended-credentials",
        )


class Driver(lakegate_spark.SqlDriver):
    def rows(self, table, snapshot=None):
        at = lakegate_spark.as_of(snapshot)
        return [[r.id, r.v] for r in self.sql(f"SELECT id, v FROM {table}{at} ORDER BY id, v")]

    def insert(self, table, ids, tag):
        values = ", ".join(f"({i}, '{tag}-{i}')" for i in ids)
        self.sql(f"INSERT INTO {table} VALUES {values}")

    def failed_write(self, table, flaky, start):
        """An INSERT through a catalog whose commit answers 500: Spark's tasks write their data files, Iceberg its
        manifest and manifest list, and the commit's outcome is unknown to it, so it keeps every file (deleting
        them could corrupt a commit that did land): the orphans a crashed or cut-off writer leaves."""
        target = flaky + "." + table.split(".", 1)[1]
        try:
            self.sql(f"INSERT INTO {target} SELECT id, concat('lost-', id) AS v FROM range({start}, {start + 40}, 1, 2)")
            return None
        except Exception as e:  # noqa: BLE001 - the test asserts the kind of failure
            # The Java cause is deep in the chain: answer its line (the JVM stack trace is on, see configure()).
            text = str(e)
            cause = re.search(r"[\w.]*CommitStateUnknownException[^\n]*", text)
            return f"{type(e).__name__}: {cause.group(0) if cause else text[:2000]}"

    def snapshots(self, table):
        """Every snapshot, oldest first, with its operation and manifest list."""
        got = {r.snapshot_id: r for r in self.sql(f"SELECT snapshot_id, parent_id, operation, manifest_list FROM {table}.snapshots")}
        # One line of history here: walk it from the snapshot no other names as parent back through the parents.
        parents = {r.parent_id for r in got.values()}
        tips = [sid for sid in got if sid not in parents]
        if len(tips) != 1:
            raise ValueError(f"expected one line of snapshots, found tips {tips}")
        chain, at = [], tips[0]
        while at in got:
            chain.append(got[at])
            at = got[at].parent_id
        if len(chain) != len(got):
            raise ValueError("the snapshots are not one line of history")
        return [{"id": str(r.snapshot_id), "operation": r.operation, "manifest_list": r.manifest_list} for r in reversed(chain)]

    def reach(self, table, ids):
        """The files the given snapshots reach, from Spark's metadata tables read at each snapshot (time travel on
        `files` and `manifests`) and from `snapshots`' manifest lists; and, as a cross-check, what the all_* tables
        (over every snapshot the table still has) name."""
        data, manifests, lists = set(), set(), set()
        listed = {s["id"]: s["manifest_list"] for s in self.snapshots(table)}
        for sid in ids:
            lists.add(listed[sid])
            manifests |= {r.path for r in self.sql(f"SELECT path FROM {table}.manifests VERSION AS OF {sid}")}
            data |= {r.file_path for r in self.sql(f"SELECT file_path FROM {table}.files VERSION AS OF {sid}")}
        all_files = {r.file_path for r in self.sql(f"SELECT file_path FROM {table}.all_files")}
        all_manifests = {r.path for r in self.sql(f"SELECT path FROM {table}.all_manifests")}
        kinds = {r.content: r.n for r in self.sql(f"SELECT content, count(*) AS n FROM {table}.all_files GROUP BY content")}
        return {
            "files": sorted(data),
            "manifests": sorted(manifests),
            "manifest_lists": sorted(lists),
            "all_files": sorted(all_files),
            "all_manifests": sorted(all_manifests),
            "content_counts": {str(k): v for k, v in kinds.items()},
        }

    def write(self, table, inserts, fail_after, flaky):
        ns = table.rsplit(".", 1)[0]
        self.sql(f"CREATE NAMESPACE IF NOT EXISTS {ns}")
        self.sql(f"CREATE TABLE {table} (id BIGINT, v STRING) USING iceberg TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='copy-on-write')")
        failed = None
        for i in range(inserts - 3):
            self.insert(table, [i * 10 + j for j in range(3)], f"a{i}")
            if i + 1 == fail_after:
                failed = self.failed_write(table, flaky, 5000)
        # Copy-on-write MERGE: rewrites the files holding matched rows (an overwrite snapshot that deletes files).
        self.sql(
            f"MERGE INTO {table} t USING (SELECT id, concat('m1-', id) AS v FROM range(0, 60, 5)) s ON t.id = s.id "
            "WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT *"
        )
        for i in range(2):
            self.insert(table, [1000 + i], f"b{i}")
        self.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('write.merge.mode'='merge-on-read', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read')")
        # Merge-on-read MERGE: position delete files for the matched rows, new rows in a data file.
        self.sql(
            f"MERGE INTO {table} t USING (SELECT id, concat('m2-', id) AS v FROM range(1, 40, 3) UNION ALL SELECT 2000 AS id, 'm2-new' AS v) s "
            "ON t.id = s.id WHEN MATCHED AND t.id % 2 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT *"
        )
        self.insert(table, [3000], "c")
        history = self.snapshots(table)
        ids = [s["id"] for s in history]
        return {
            "snapshots": history,
            "rows": {sid: self.rows(table, sid) for sid in ids},
            "failed": failed,
            "reach": self.reach(table, ids),
            "location": self.location(table),
        }

    def location(self, table):
        for r in self.sql(f"DESCRIBE TABLE EXTENDED {table}"):
            if r.col_name == "Location":
                return r.data_type
        return None

    def verify(self, table, kept, expired):
        out = {"kept_rows": {}, "expired_errors": {}, "snapshots": [s["id"] for s in self.snapshots(table)]}
        for sid in kept:
            out["kept_rows"][sid] = self.rows(table, sid)
        for sid in expired:
            try:
                out["expired_errors"][sid] = {"rows": self.rows(table, sid)}
            except Exception as e:  # noqa: BLE001
                out["expired_errors"][sid] = {"error": f"{type(e).__name__}: {str(e)[:500]}"}
        out["reach"] = self.reach(table, kept)
        return out

    def read(self, table):
        try:
            return {"rows": self.rows(table)}
        except Exception as e:  # noqa: BLE001
            return {"error": f"{type(e).__name__}: {str(e)[:500]}"}

    def run(self, command):
        cmd = command["cmd"]
        table = command.get("table")
        if cmd == "write":
            return self.write(table, command["inserts"], command["fail_after"], command["flaky"])
        if cmd == "fail":
            failed = self.failed_write(table, command["flaky"], 9000)
            ids = [s["id"] for s in self.snapshots(table)]
            return {"failed": failed, "reach": self.reach(table, ids)}
        if cmd == "verify":
            return self.verify(table, command["kept"], command["expired"])
        if cmd == "create":
            self.sql(f"CREATE NAMESPACE IF NOT EXISTS {table.rsplit('.', 1)[0]}")
            self.sql(f"CREATE TABLE {table} (id BIGINT, v STRING) USING iceberg")
            self.insert(table, command["rows"], "d")
            return {"rows": self.rows(table), "location": self.location(table)}
        if cmd == "drop":
            self.sql(f"DROP TABLE {table}{' PURGE' if command['purge'] else ''}")
            return {"dropped": table}
        if cmd == "read":
            return self.read(table)
        raise ValueError(f"unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-maintenance-"))
