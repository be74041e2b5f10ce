"""Spark 4.1 + Iceberg 1.11 side of test/interop/locations-spark.test.ts (issue 52: where a table's files lie).

A long-lived driver, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/locations.py`). One Spark session for the whole test file, driven as peers/spark/maintenance.py is: one
JSON command per line, one `@@reply {json}` line per command.
Configured by env: CATALOG_URI, CATALOG_CREDENTIAL, LAKEGATE_SPARK_JARS, and per Spark catalog CATALOG_<NAME> =
"<warehouse> [<delegation>]": a REST catalog on that warehouse; with a delegation (vended-credentials) it reads and
writes through S3FileIO with no storage key of its own, without one through the FileIO the location implies (a `file:`
location: HadoopFileIO). The namespace levels and the table name come in every command (`catalog`, `namespace`,
`table`) and are written as backtick-quoted identifiers, so spaces, non-ASCII letters, ":", "?", "#", "%" and "/"
reach the catalog as they are.

Commands ({"cmd": ...}):
  write    {catalog, namespace, table}  creates each namespace level and a v2 table partitioned by identity on
           `region`, one INSERT per region value (the values hold the characters above; Iceberg Java writes them
           into directory names with URLEncoder), a copy-on-write DELETE that rewrites the files of three of those
           partitions, two more INSERTs; answers every snapshot (oldest first), the rows, the data files Spark names
  verify   {catalog, namespace, table, kept}  the rows now and at every kept snapshot, the snapshots the table
           still has, and every file the kept snapshots reach (manifest lists, manifests, data files)
"""

import sys

import lakegate_spark

REGIONS = ["é", "a:b", "q?r#s", "100%", "x/y", "a b", "plain"]
# The DELETE rewrites these partitions (rows 0, 10 and 20): é, a:b and q?r#s.
DELETED_IDS = [0, 10, 20]


APP = "lakegate-locations"


def configure(conf, env):
    conf.config("spark.sql.pyspark.jvmStacktrace.enabled", "true")
    for key, value in env.items():
        if not key.startswith("CATALOG_") or key in ("CATALOG_URI", "CATALOG_CREDENTIAL"):
            continue
        warehouse, _, delegation = value.partition(" ")
        lakegate_spark.rest_catalog(
            conf,
            key[len("CATALOG_"):].lower(),
            uri=env["CATALOG_URI"],
            warehouse=warehouse,
            credential=env["CATALOG_CREDENTIAL"],
            delegation=delegation or None,
        )


def quote(name):
    """A Spark SQL identifier part, backtick-quoted (a backtick doubled)."""
    return "`" + name.replace("`", "``") + "`"


def literal(value):
    """A Spark SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Driver(lakegate_spark.SqlDriver):
    def names(self, command):
        """The SQL names of each namespace level (outermost first) and of the table."""
        cat, ns = command["catalog"], [quote(level) for level in command["namespace"]]
        levels = [".".join([cat, *ns[: n + 1]]) for n in range(len(ns))]
        return levels, ".".join([cat, *ns, quote(command["table"])])

    def rows(self, table, snapshot=None):
        at = lakegate_spark.as_of(snapshot)
        return [[r.id, r.region] for r in self.sql(f"SELECT id, region FROM {table}{at} ORDER BY id")]

    def snapshots(self, table):
        """Every snapshot the table has, oldest first (one line of history: commits here never branch)."""
        got = self.sql(f"SELECT snapshot_id, operation, committed_at FROM {table}.snapshots ORDER BY committed_at, snapshot_id")
        return [{"id": str(r.snapshot_id), "operation": r.operation} for r in got]

    def insert(self, table, values):
        self.sql(f"INSERT INTO {table} VALUES " + ", ".join(f"({i}, {literal(region)})" for i, region in values))

    def write(self, command):
        namespaces, table = self.names(command)
        for ns in namespaces:
            self.sql(f"CREATE NAMESPACE IF NOT EXISTS {ns}")
        self.sql(
            f"CREATE TABLE {table} (id BIGINT, region STRING) USING iceberg PARTITIONED BY (region) "
            "TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='copy-on-write')"
        )
        for i, region in enumerate(REGIONS):
            self.insert(table, [(i * 10, region), (i * 10 + 1, region)])
        self.sql(f"DELETE FROM {table} WHERE id IN ({', '.join(map(str, DELETED_IDS))})")
        self.insert(table, [(100, REGIONS[0]), (101, REGIONS[2])])
        self.insert(table, [(102, REGIONS[1])])
        return {
            "snapshots": self.snapshots(table),
            "rows": self.rows(table),
            "data_files": sorted(r.file_path for r in self.sql(f"SELECT file_path FROM {table}.files")),
            "partitions": sorted(r.region for r in self.sql(f"SELECT partition.region AS region FROM {table}.partitions")),
        }

    def verify(self, command):
        _, table = self.names(command)
        lists = {s.snapshot_id: s.manifest_list for s in self.sql(f"SELECT snapshot_id, manifest_list FROM {table}.snapshots")}
        reach = set()
        per_snapshot = {}
        for sid in command["kept"]:
            reach.add(lists[int(sid)])
            reach |= {r.path for r in self.sql(f"SELECT path FROM {table}.manifests VERSION AS OF {sid}")}
            reach |= {r.file_path for r in self.sql(f"SELECT file_path FROM {table}.files VERSION AS OF {sid}")}
            per_snapshot[sid] = self.rows(table, sid)
        return {
            "rows": self.rows(table),
            "snapshots": [s["id"] for s in self.snapshots(table)],
            "per_snapshot": per_snapshot,
            "reachable": sorted(reach),
        }

    def run(self, command):
        cmd = command["cmd"]
        if cmd == "write":
            return self.write(command)
        if cmd == "verify":
            return self.verify(command)
        raise ValueError(f"unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-locations-"))
