"""lance-spark (impl=rest) against Lakegate's Lance namespace, driven through Spark SQL.

usage: lance_spark_rest.py JAR URI WRITER_TOKEN STRANGER_TOKEN NAMESPACE TABLE MANAGED_URI

Two catalogs in one Spark 3.5 session: `lake` with the writer's bearer token and `stranger` with the token of a
principal holding no grants. The writer creates the table, inserts, reads back, appends again and lists tables; the
stranger lists and reads. A third catalog, `managed`, points the writer at MANAGED_URI, a warehouse of
catalog-managed versions, where lance-spark's own commit of the first manifest is expected to be refused by the store. Storage comes only from what the namespace answers (DescribeTable/DeclareTable storage
options): no storage.* keys are configured. Prints one JSON line of what happened.
"""

import json
import sys
import traceback

from pyspark.sql import SparkSession

jar, uri, writer, stranger, ns, table, managed_uri = sys.argv[1:8]
CATALOG = "com.lancedb.lance.spark.LanceNamespaceSparkCatalog"

builder = (
    SparkSession.builder.master("local[1]")
    .appName("lakegate-lance-spark")
    .config("spark.jars", jar)
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.driver.memory", "768m")
)
for name, token, at in (("lake", writer, uri), ("stranger", stranger, uri), ("managed", writer, managed_uri)):
    builder = (
        builder.config(f"spark.sql.catalog.{name}", CATALOG)
        .config(f"spark.sql.catalog.{name}.impl", "rest")
        .config(f"spark.sql.catalog.{name}.uri", at)
        .config(f"spark.sql.catalog.{name}.headers.Authorization", f"Bearer {token}")
    )
spark = builder.getOrCreate()
spark.sparkContext.setLogLevel("ERROR")

out = {}
step = "start"


def summary(e):
    """The error's message lines and its Java causes, without the stack frames."""
    keep = [line for line in str(e).splitlines() if line.strip() and not line.startswith("\tat ") and not line.startswith("\t...")]
    return "\n".join(keep)[:3000]


def rows(sql):
    return [tuple(r) for r in spark.sql(sql).collect()]


name = f"lake.{ns}.{table}"
try:
    step = "create"
    spark.sql(f"CREATE TABLE {name} (id BIGINT, label STRING)")
    step = "insert"
    spark.sql(f"INSERT INTO {name} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    step = "read"
    out["first"] = sorted(rows(f"SELECT id, label FROM {name}"))
    step = "append"
    spark.sql(f"INSERT INTO {name} VALUES (4, 'd'), (5, 'e')")
    step = "read-again"
    out["second"] = sorted(rows(f"SELECT id, label FROM {name}"))
    step = "list"
    out["tables"] = sorted(r[1] for r in rows(f"SHOW TABLES IN lake.{ns}"))
except Exception as e:  # noqa: BLE001 - report which step failed
    out["failed_step"] = step
    out["error"] = summary(e)
    traceback.print_exc()

for label, sql in (("stranger_list", f"SHOW TABLES IN stranger.{ns}"), ("stranger_read", f"SELECT * FROM stranger.{ns}.{table}")):
    try:
        out[label] = rows(sql)
        out[f"{label}_refused"] = False
    except Exception as e:  # noqa: BLE001
        out[f"{label}_refused"] = True
        out[f"{label}_error"] = summary(e)

try:
    spark.sql(f"CREATE TABLE managed.{ns}.{table} (id BIGINT, label STRING)")
    spark.sql(f"INSERT INTO managed.{ns}.{table} VALUES (1, 'a')")
    out["managed_refused"] = False
except Exception as e:  # noqa: BLE001
    out["managed_refused"] = True
    out["managed_error"] = summary(e)

spark.stop()
print(json.dumps(out))
