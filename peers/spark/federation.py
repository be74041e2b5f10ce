"""Spark 4.1 + Iceberg 1.11 side of test/interop/federation-spark.test.ts (issue 57: Spark through a federated
warehouse).

A long-lived driver, in the shared host (peers/spark/host.py) or on its own (`scripts/peers/spark.sh run
peers/spark/federation.py`). One Spark session for the whole test file, driven as peers/spark/locations.py is: one
JSON command per line, one `@@reply {json}` line per command.
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
import sys

import lakegate_spark

APP = "lakegate-federation"


def configure(conf, env):
    for name, credential in json.loads(env["CATALOG_CREDENTIALS"]).items():
        lakegate_spark.rest_catalog(conf, name, uri=env["CATALOG_URI"], warehouse=env["CATALOG_WAREHOUSE"], credential=credential)
    for name, catalog in json.loads(env.get("CATALOG_VENDED", "{}")).items():
        lakegate_spark.rest_catalog(
            conf,
            name,
            uri=env["CATALOG_URI"],
            warehouse=catalog["warehouse"],
            credential=catalog["credential"],
            delegation="vended-credentials",
        )


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
    sys.exit(lakegate_spark.run_job(sys.modules[__name__], "lakegate-spark-federation-"))
