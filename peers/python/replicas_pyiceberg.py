#!/usr/bin/env python3
"""PyIceberg 0.12 through a load balancer in front of two Lakegate replicas (test/interop/replicas-proxy.test.ts).

Environment: CATALOG_URI (the proxy), CATALOG_WAREHOUSE (a warehouse whose property scan-planning-mode=server),
CATALOG_CREDENTIAL. Creates replicas.events, appends one batch (one data manifest: planned synchronously, as
PyIceberg 0.12 raises on `submitted`), reads it through server-side planning, commits a second append, and reads
both batches back in client mode (two manifests are above the test's async threshold). Every call goes through
the proxy, so they land on both replicas. Prints one JSON line with the row counts."""
import json
import os

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

uri = os.environ["CATALOG_URI"]
warehouse = os.environ["CATALOG_WAREHOUSE"]
credential = os.environ["CATALOG_CREDENTIAL"]

server = load_catalog("server", type="rest", uri=uri, warehouse=warehouse, credential=credential)
client = load_catalog("client", type="rest", uri=uri, warehouse=warehouse, credential=credential, **{"scan-planning-mode": "client"})

schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
server.create_namespace_if_not_exists("replicas")
table = server.create_table("replicas.events", schema=schema)


def batch(start, n):
    return pa.table({"id": pa.array(range(start, start + n), pa.int64()), "name": pa.array([f"n{i}" for i in range(start, start + n)], pa.string())})


table.append(batch(0, 10))
planned = server.load_table("replicas.events").scan().to_arrow()
ids = sorted(planned.column("id").to_pylist())
server.load_table("replicas.events").append(batch(10, 5))
after = client.load_table("replicas.events").scan().to_arrow()
filtered = client.load_table("replicas.events").scan(row_filter="id >= 8").to_arrow()
print(json.dumps({
    "planned_rows": len(ids),
    "planned_ids_ok": ids == list(range(10)),
    "rows_after_commit": after.num_rows,
    "filtered_rows": filtered.num_rows,
    "snapshots": len(client.load_table("replicas.events").metadata.snapshots),
}))
