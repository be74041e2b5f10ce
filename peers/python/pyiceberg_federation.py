"""PyIceberg 0.12 side of test/interop/federation-rest.test.ts, federation-glue.test.ts and federation-hive.test.ts
(issue 57: a remote Iceberg REST catalog, AWS Glue or a Hive Metastore federated behind Lakegate). The same script writes through Lakegate and
straight to the remote catalog (PyIceberg's RestCatalog or its own GlueCatalog).

Phases (argv[1]), each printing one JSON line on stdout:
  create   creates namespace `fed` and table `fed.events` (id long, writer string) if missing; prints its location
  append   appends $FED_COUNT one-row batches tagged $FED_WRITER, each commit retried on CommitFailedException after
           a reload (a concurrent writer won the race); prints how many appended and how many retries it took
  read     reads the table whole; prints the number of rows per writer
  list     prints the namespaces and the tables of `fed` the caller sees (an error's class name if refused)
  drop     drops the table; prints whether the catalog still knows it
Environment: CATALOG_URI, CATALOG_WAREHOUSE (optional), CATALOG_CREDENTIAL (optional); CATALOG_TYPE=glue for
PyIceberg's GlueCatalog at GLUE_ENDPOINT with GLUE_KEY_ID/GLUE_SECRET, writing data to S3_ENDPOINT with S3_KEY_ID/S3_SECRET;
CATALOG_TYPE=sql for PyIceberg's SqlCatalog (SQL_URI, SQL_WAREHOUSE): the Hive test's outside writer, since PyIceberg
0.12's HiveCatalog calls get_table, which Hive 4.0.1's metastore no longer has (HIVE-26537).
"""
import json
import os
import sys
import time

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import CommitFailedException, NamespaceAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

IDENT = ("fed", "events")
SCHEMA = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "writer", StringType(), required=False))
ARROW = pa.schema([pa.field("id", pa.int64()), pa.field("writer", pa.string())])


def catalog():
    if os.environ.get("CATALOG_TYPE") == "glue":
        return load_catalog("fed", **{
            "type": "glue", "glue.endpoint": os.environ["GLUE_ENDPOINT"], "glue.region": "us-east-1",
            "glue.access-key-id": os.environ["GLUE_KEY_ID"], "glue.secret-access-key": os.environ["GLUE_SECRET"],
            "s3.endpoint": os.environ["S3_ENDPOINT"], "s3.region": "us-east-1",
            "s3.access-key-id": os.environ["S3_KEY_ID"], "s3.secret-access-key": os.environ["S3_SECRET"],
        })
    if os.environ.get("CATALOG_TYPE") == "sql":
        return load_catalog("fed", **{"type": "sql", "uri": os.environ["SQL_URI"], "warehouse": os.environ["SQL_WAREHOUSE"]})
    props = {"type": "rest", "uri": os.environ["CATALOG_URI"]}
    if os.environ.get("CATALOG_WAREHOUSE"):
        props["warehouse"] = os.environ["CATALOG_WAREHOUSE"]
    if os.environ.get("CATALOG_CREDENTIAL"):
        props["credential"] = os.environ["CATALOG_CREDENTIAL"]
    return load_catalog("fed", **props)


def main(phase):
    cat = catalog()
    if phase == "create":
        try:
            cat.create_namespace("fed")
        except NamespaceAlreadyExistsError:
            pass
        table = cat.create_table_if_not_exists(IDENT, schema=SCHEMA)
        return {"location": table.location(), "metadata_location": table.metadata_location}
    if phase == "append":
        writer, count = os.environ["FED_WRITER"], int(os.environ["FED_COUNT"])
        retries = 0
        for i in range(count):
            for attempt in range(50):
                table = cat.load_table(IDENT)
                try:
                    table.append(pa.Table.from_pylist([{"id": i, "writer": writer}], schema=ARROW))
                    break
                except CommitFailedException:
                    retries += 1
                    time.sleep(0.05 * (attempt + 1))
            else:
                raise RuntimeError(f"{writer} batch {i} never committed")
        return {"appended": count, "retries": retries, "metadata_location": cat.load_table(IDENT).metadata_location}
    if phase == "read":
        counts = {}
        for row in cat.load_table(IDENT).scan().to_arrow().to_pylist():
            counts[row["writer"]] = counts.get(row["writer"], 0) + 1
        return {"counts": counts}
    if phase == "list":
        out = {}
        try:
            out["namespaces"] = [list(n) for n in cat.list_namespaces()]
        except Exception as e:  # noqa: BLE001 - the refusal's class is the answer
            out["namespaces_error"] = type(e).__name__
        try:
            out["tables"] = [list(t) for t in cat.list_tables("fed")]
        except Exception as e:  # noqa: BLE001
            out["tables_error"] = type(e).__name__
        try:
            cat.load_table(IDENT)
            out["load"] = "ok"
        except Exception as e:  # noqa: BLE001
            out["load"] = type(e).__name__
        return out
    if phase == "drop":
        cat.drop_table(IDENT)
        return {"exists": cat.table_exists(IDENT)}
    raise SystemExit(f"unknown phase {phase}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
