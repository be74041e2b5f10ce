"""Spark 4.1 + Iceberg 1.11 side of test/interop/compaction-spark.test.ts (issue 59: compaction run by the catalog).

A long-lived driver, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/compaction.py`): one Spark session for the test file, one JSON command per line, one `@@reply {json}` line
each (as maintenance.py). Env: CATALOG_URI,
CATALOG_WAREHOUSE, CATALOG_CREDENTIAL; the REST catalog `lake` with vended credentials (S3FileIO, no key of its own).

Commands ({"cmd": ...}):
  write  {table, inserts, format_version?}  creates a v2 table partitioned by region with merge-on-read deletes,
         makes `inserts` INSERTs and a DELETE (position delete files); answers what read answers. With
         format_version 1, a v1 table (copy-on-write: v1 has no delete files), its DELETE an overwrite
         With format_version 3, a v3 table whose DELETE writes deletion vectors (Puffin)
  read   {table, snapshot?, lineage?}  the rows (at the snapshot, else current), the current snapshot's id and
         operation, and its live data and delete file counts (and how many of those are deletion vectors); with
         lineage, each row's [id, _row_id, _last_updated_sequence_number] (v3 row lineage)
  delete {table, where}  a DELETE of the rows matching `where` (merge-on-read: a position delete file per data file
         it hits); answers what read answers
  files  {table}  the live data files, each [its lowest id, its path], by lowest id (the write command's inserts are
         told apart by their lowest ids: insert i holds ids 10i to 10i+3)
  write_big {table, rows}  creates an unpartitioned v2 table (id BIGINT, payload STRING) and writes `rows` rows in one
         INSERT of one Spark task, so one data file (the table's default target is 512 MiB): each payload 128 bytes
         of SHA-512 digests in base64, which Parquet's dictionary and compression barely shrink; answers what
         big_read answers
  big_read {table}  the row count and two checksums over all rows (Spark SQL: the sum of each row's crc32, the xor of
         its xxhash64), the current snapshot's id and operation, and the live data files, each [path, bytes, records]
"""

import sys

import lakegate_spark

APP = "lakegate-compaction"


def configure(conf, env):
    conf.config("spark.sql.pyspark.jvmStacktrace.enabled", "true")
    lakegate_spark.rest_catalog_from_env(conf, "lake", env, delegation="vended-credentials")


class Driver(lakegate_spark.SqlDriver):
    def read(self, table, snapshot=None, lineage=False):
        at = lakegate_spark.as_of(snapshot)
        rows = [[r.id, r.region, r.v] for r in self.sql(f"SELECT id, region, v FROM {table}{at} ORDER BY id")]
        extra = {}
        if lineage:
            extra["lineage"] = [
                [r.id, r._row_id, r._last_updated_sequence_number]
                for r in self.sql(f"SELECT id, _row_id, _last_updated_sequence_number FROM {table}{at} ORDER BY id")
            ]
            extra["dv_files"] = self.sql(f"SELECT count(*) AS n FROM {table}.files WHERE content = 1 AND file_format = 'PUFFIN'")[0].n
        current = self.sql(f"SELECT snapshot_id, operation FROM {table}.snapshots ORDER BY committed_at DESC LIMIT 1")[0]
        kinds = {r.content: r.n for r in self.sql(f"SELECT content, count(*) AS n FROM {table}.files GROUP BY content")}
        manifests = {r.content: r.n for r in self.sql(f"SELECT content, count(*) AS n FROM {table}.manifests GROUP BY content")}
        return {
            "rows": rows,
            "snapshot": str(current.snapshot_id),
            "operation": current.operation,
            "data_files": kinds.get(0, 0),
            "delete_files": kinds.get(1, 0),
            "data_manifests": manifests.get(0, 0),
            "delete_manifests": manifests.get(1, 0),
            **extra,
        }

    def write(self, table, inserts, format_version=2):
        ns = table.rsplit(".", 1)[0]
        self.sql(f"CREATE NAMESPACE IF NOT EXISTS {ns}")
        props = (
            "'format-version'='1'"
            if format_version == 1
            else f"'format-version'='{format_version}', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read'"
        )
        self.sql(f"CREATE TABLE {table} (id BIGINT, region STRING, v STRING) USING iceberg PARTITIONED BY (region) TBLPROPERTIES ({props})")
        for i in range(inserts):
            region = "eu" if i % 2 == 0 else "us"
            values = ", ".join(f"({i * 10 + j}, '{region}', 'r{i}-{j}')" for j in range(4))
            self.sql(f"INSERT INTO {table} VALUES {values}")
        self.sql(f"DELETE FROM {table} WHERE id % 7 = 0")
        if format_version == 3:
            # An UPDATE too: its rows' _last_updated_sequence_number moves, which the compaction must keep.
            self.sql(f"UPDATE {table} SET v = concat(v, '-u') WHERE id % 5 = 0")
        return self.read(table, lineage=format_version == 3)

    def delete(self, table, where):
        self.sql(f"DELETE FROM {table} WHERE {where}")
        return self.read(table)

    def files(self, table):
        rows = self.sql(f"SELECT readable_metrics.id.lower_bound AS lo, file_path FROM {table}.data_files ORDER BY lo, file_path")
        return {"data": [[r.lo, r.file_path] for r in rows]}

    def write_big(self, table, rows):
        ns = table.rsplit(".", 1)[0]
        self.sql(f"CREATE NAMESPACE IF NOT EXISTS {ns}")
        self.sql(f"CREATE TABLE {table} (id BIGINT, payload STRING) USING iceberg TBLPROPERTIES ('format-version'='2')")
        digest = "concat(sha2(cast(id AS STRING), 512), sha2(cast(id + {0} AS STRING), 512))".format(int(rows))
        self.sql(f"INSERT INTO {table} SELECT id, base64(unhex({digest})) FROM range(0, {int(rows)}, 1, 1)")
        return self.big_read(table)

    def big_read(self, table):
        sums = self.sql(
            "SELECT count(*) AS n, sum(crc32(concat_ws('|', cast(id AS STRING), payload))) AS crc, "
            f"bit_xor(xxhash64(id, payload)) AS xx FROM {table}"
        )[0]
        current = self.sql(f"SELECT snapshot_id, operation FROM {table}.snapshots ORDER BY committed_at DESC LIMIT 1")[0]
        files = self.sql(f"SELECT file_path, file_size_in_bytes, record_count FROM {table}.data_files ORDER BY file_path")
        return {
            "count": sums.n,
            "checksum": [str(sums.crc), str(sums.xx)],
            "snapshot": str(current.snapshot_id),
            "operation": current.operation,
            "files": [[f.file_path, f.file_size_in_bytes, f.record_count] for f in files],
        }

    def run(self, command):
        cmd = command["cmd"]
        if cmd == "write":
            return self.write(command["table"], command["inserts"], command.get("format_version", 2))
        if cmd == "read":
            return self.read(command["table"], command.get("snapshot"), command.get("lineage", False))
        if cmd == "delete":
            return self.delete(command["table"], command["where"])
        if cmd == "files":
            return self.files(command["table"])
        if cmd == "write_big":
            return self.write_big(command["table"], command["rows"])
        if cmd == "big_read":
            return self.big_read(command["table"])
        raise ValueError(f"unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-compaction-"))
