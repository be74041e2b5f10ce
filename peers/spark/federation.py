"""Spark 4.1 + Iceberg 1.11 side of test/interop/federation-spark.test.ts (issue 57: Spark through a federated
warehouse).

Run through `scripts/peers/spark.sh run peers/spark/federation.py`. One Spark session for the whole test file, driven
as peers/spark/locations.py is: one JSON command per line on stdin, one `@@reply {json}` line per command on stdout.
Configured by env: CATALOG_URI, CATALOG_WAREHOUSE, LAKEGATE_SPARK_JARS, and CATALOG_CREDENTIALS, a JSON object
{"<spark catalog name>": "client_id:client_secret"}: one Iceberg REST catalog per principal, all on the same Lakegate
warehouse, with no access delegation (that warehouse is on `file:` storage, read and written through HadoopFileIO); and
optionally CATALOG_VENDED, a JSON object {"<spark catalog name>": {"warehouse": ..., "credential": ...}}: catalogs on
the same Lakegate whose warehouse is on S3 (MinIO), read and written through S3FileIO with only the storage credentials
Lakegate vends (`X-Iceberg-Access-Delegation: vended-credentials`; no endpoint, region or key of their own).

Commands ({"cmd": ...}):
  sql      {sql}            runs the statement; answers its rows (each a list of values)
  refused  {sql}            runs the statement expecting it to fail; answers the error's class and message
"""

import json
import os
import sys

import lakegate_spark


def session():
    lakegate_spark.refuse_aws_env()
    work = lakegate_spark.work_dir("lakegate-spark-federation-")
    builder = lakegate_spark.builder("lakegate-federation", work)
    for name, credential in json.loads(os.environ["CATALOG_CREDENTIALS"]).items():
        builder = lakegate_spark.rest_catalog(
            builder, name, uri=os.environ["CATALOG_URI"], warehouse=os.environ["CATALOG_WAREHOUSE"], credential=credential
        )
    for name, catalog in json.loads(os.environ.get("CATALOG_VENDED", "{}")).items():
        builder = lakegate_spark.rest_catalog(
            builder,
            name,
            uri=os.environ["CATALOG_URI"],
            warehouse=catalog["warehouse"],
            credential=catalog["credential"],
            delegation="vended-credentials",
        )
    return lakegate_spark.start(builder)


def plain(value):
    """A JSON value for a Spark value (decimals, dates and the like as strings)."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


class Driver(lakegate_spark.SqlDriver):
    def run(self, command):
        cmd = command["cmd"]
        if cmd == "sql":
            return {"rows": [[plain(v) for v in row] for row in self.sql(command["sql"])]}
        if cmd == "refused":
            try:
                rows = self.sql(command["sql"])
            except Exception as e:  # noqa: BLE001 - the refusal is the answer
                return {"refused": True, "error": f"{type(e).__name__}: {str(e)[:4000]}"}
            return {"refused": False, "rows": [[plain(v) for v in row] for row in rows]}
        raise ValueError(f"unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(lakegate_spark.serve(lambda: Driver(session())))
