"""Writes a small Iceberg v2 table with PyIceberg 0.12 (SQL catalog on a local directory) and prints, as JSON,
its current manifest list, its location and PyIceberg's own client-side plan of a full scan: the oracle the
manifest reader test (test/interop/manifest-reader-pyiceberg.test.ts) compares against.
Partitioned by identity(category) and day(ts); three appends and a delete that rewrites files."""
import json
import sys
from datetime import datetime, timezone

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

root = sys.argv[1]
catalog = SqlCatalog("corpus", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse")
catalog.create_namespace("ns")
schema = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
)
spec = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=3, field_id=1001, transform=DayTransform(), name="ts_day"),
)
table = catalog.create_table("ns.t", schema=schema, partition_spec=spec, properties={"format-version": "2"})
arrow_schema = schema.as_arrow()


def batch(start, category, day):
    ts = datetime(2026, 1, day, 12, tzinfo=timezone.utc)
    return pa.Table.from_pylist(
        [{"id": start + i, "category": category, "ts": ts, "amount": float(i)} for i in range(5)], schema=arrow_schema
    )


table.append(pa.concat_tables([batch(0, "a", 1), batch(10, "b", 2)]))
table.append(batch(20, "a", 3))
table.append(pa.concat_tables([batch(30, "c", 1), batch(40, None, 4)]))
table.delete("id = 21")
table = catalog.load_table("ns.t")
snapshot = table.current_snapshot()
files = [
    {
        "path": t.file.file_path,
        "records": t.file.record_count,
        "partition": [t.file.partition[i] for i in range(len(t.file.partition))],
        "lower_id": t.file.lower_bounds.get(1).hex() if t.file.lower_bounds and 1 in t.file.lower_bounds else None,
    }
    for t in table.scan().plan_files()
]
selected = sorted(t.file.file_path for t in table.scan(row_filter="id >= 30").plan_files())
print(json.dumps({"manifestList": snapshot.manifest_list, "location": table.location(), "files": files, "idAtLeast30": selected}))
