#!/usr/bin/env python3
"""A short scripted PyIceberg 0.12 session whose change events the event-sink tests follow into Kafka and NATS.

Environment: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL ("id:secret", OAuth2 client credentials against the
catalog's own token endpoint), NAMESPACE (created here). Two tables; three appends to each, interleaved; `orders` is
renamed, `items` dropped. Prints one JSON line: {"orders": <table uuid>, "items": <table uuid>, "snapshots": {...}}
with each table's snapshot ids in commit order.
"""

import json
import os

import pyarrow as pa
from pyiceberg.catalog import load_catalog

catalog = load_catalog(
    "lakegate",
    type="rest",
    uri=os.environ["CATALOG_URI"],
    warehouse=os.environ["CATALOG_WAREHOUSE"],
    credential=os.environ["CATALOG_CREDENTIAL"],
)
ns = os.environ["NAMESPACE"]
catalog.create_namespace(ns)
schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
tables = {name: catalog.create_table(f"{ns}.{name}", schema=schema) for name in ("orders", "items")}
snapshots = {name: [] for name in tables}
for i in range(3):
    for name, table in tables.items():
        table.append(pa.table({"id": [i], "name": [f"{name}-{i}"]}, schema=schema))
        snapshots[name].append(table.metadata.current_snapshot_id)
catalog.rename_table(f"{ns}.orders", f"{ns}.orders_v2")
catalog.drop_table(f"{ns}.items")
print(json.dumps({
    "orders": str(tables["orders"].metadata.table_uuid),
    "items": str(tables["items"].metadata.table_uuid),
    "snapshots": snapshots,
}))
