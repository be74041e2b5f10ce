#!/usr/bin/env python3
"""Server-side scan planning driven by PyIceberg 0.12 (test/interop/planning-pyiceberg.test.ts).

Environment: CATALOG_URI, CATALOG_WAREHOUSE (a warehouse whose property scan-planning-mode=server, so
GET /v1/config recommends server planning), CATALOG_CREDENTIAL (a principal that writes and reads),
READER_CREDENTIAL (a principal holding table:read-metadata only).

Writes a table partitioned by identity(category) and day(ts) through a catalog in client mode (its own
scan-planning-mode=client overrides the warehouse's recommendation), with several appends, an overwrite and a
delete; then reads it with a battery of filters through both catalogs: the rows must be equal. Prints one JSON
line with what it saw: the planning mode of each catalog, per filter the row counts and the number of files
each plan had, and the read-metadata reader's error.

No partition value is null here: PyIceberg 0.12 cannot parse a null in a plan's `partition` list (its pydantic
model is list[PrimitiveTypeValue], without None), although the spec serializes a null partition value as null
(docs/compatibility.md)."""
import json
import os
import sys
from datetime import datetime, timezone

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import ForbiddenError
from pyiceberg.expressions import (
    And,
    EqualTo,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
    Not,
    NotEqualTo,
    NotIn,
    NotNull,
    Or,
    StartsWith,
)
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

uri = os.environ["CATALOG_URI"]
warehouse = os.environ["CATALOG_WAREHOUSE"]


def catalog(name, credential, **extra):
    return load_catalog(name, **{"type": "rest", "uri": uri, "warehouse": warehouse, "credential": credential, **extra})


client = catalog("client", os.environ["CATALOG_CREDENTIAL"], **{"scan-planning-mode": "client"})
server = catalog("server", os.environ["CATALOG_CREDENTIAL"])

schema = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
    NestedField(5, "note", StringType(), required=False),
)
spec = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=3, field_id=1001, transform=DayTransform(), name="ts_day"),
)
client.create_namespace("planning")
table = client.create_table("planning.events", schema=schema, partition_spec=spec, properties={"format-version": "2"})
arrow_schema = schema.as_arrow()


def batch(start, category, day, n=5):
    ts = datetime(2026, 1, day, 12, tzinfo=timezone.utc)
    rows = [{"id": start + i, "category": category, "ts": ts, "amount": float(start + i) / 2, "note": None if (start + i) % 3 == 0 else f"n{start + i}"} for i in range(n)]
    return pa.Table.from_pylist(rows, schema=arrow_schema)


# Ten appends (one manifest each: PyIceberg fast-appends), an overwrite of category "d" and a delete of two rows.
for k, (category, day) in enumerate([("a", 1), ("b", 2), ("a", 3), ("c", 1), ("f", 4), ("b", 5), ("d", 2), ("e", 6), ("a", 7), ("c", 8)]):
    table.append(batch(k * 10, category, day))
table.overwrite(batch(200, "d", 9), overwrite_filter=EqualTo("category", "d"))
table.delete(EqualTo("id", 21))
table.delete(In("id", [90, 91]))

filters = {
    "all": None,
    "eq_id": EqualTo("id", 33),
    "not_eq_id": NotEqualTo("id", 33),
    "lt_id": LessThan("id", 12),
    "lt_eq_id": LessThanOrEqual("id", 12),
    "gt_id": GreaterThan("id", 95),
    "gt_eq_id": GreaterThanOrEqual("id", 95),
    "eq_category": EqualTo("category", "a"),
    "in_category": In("category", ["b", "c"]),
    "not_in_category": NotIn("category", ["a", "b"]),
    "is_null_note": IsNull("note"),
    "not_null_note": NotNull("note"),
    "note_and_category": And(IsNull("note"), EqualTo("category", "f")),
    "starts_with": StartsWith("category", "d"),
    "ts_after": GreaterThanOrEqual("ts", "2026-01-06T00:00:00+00:00"),
    "not_amount": Not(GreaterThan("amount", 10.0)),
    "and": And(EqualTo("category", "a"), GreaterThan("id", 25)),
    "or": Or(EqualTo("category", "e"), LessThan("id", 3)),
    "nothing": EqualTo("id", 100000),
}


def rows(t, f):
    scan = t.scan() if f is None else t.scan(row_filter=f)
    got = scan.to_arrow().sort_by([("id", "ascending")]).to_pylist()
    return got, len(list(scan.plan_files()))


out = {"modes": {}, "filters": {}}
client_table = client.load_table("planning.events")
server_table = server.load_table("planning.events")
out["modes"] = {"client": client.supports_server_side_planning(), "server": server.supports_server_side_planning()}
for name, f in filters.items():
    expected, client_files = rows(client_table, f)
    got, server_files = rows(server_table, f)
    out["filters"][name] = {"equal": expected == got, "rows": len(got), "client_rows": len(expected), "client_files": client_files, "server_files": server_files}

# A selected subset of columns, and time travel to the first snapshot, through the server.
first = server_table.history()[0].snapshot_id
expected = client_table.scan(snapshot_id=first, selected_fields=("id", "category")).to_arrow().sort_by([("id", "ascending")]).to_pylist()
got = server_table.scan(snapshot_id=first, selected_fields=("id", "category")).to_arrow().sort_by([("id", "ascending")]).to_pylist()
out["time_travel"] = {"equal": expected == got, "rows": len(got)}

reader = catalog("reader", os.environ["READER_CREDENTIAL"])
try:
    reader.load_table("planning.events").scan().to_arrow()
    out["reader"] = "read"
except ForbiddenError as e:
    out["reader"] = f"ForbiddenError: {e}"
except Exception as e:  # noqa: BLE001 - reported to the test, which asserts the type
    out["reader"] = f"{type(e).__name__}: {e}"
out["total_files"] = len(list(client_table.scan().plan_files()))
print(json.dumps(out))
sys.exit(0)
