"""A table for the web console's browser test: PyIceberg creates sales.orders (a nested struct column, bucket
partitioning, a sort order) and appends twice, so the table has exactly two snapshots.

Env: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL ("id:secret"). Prints one JSON line with the snapshot ids.
"""
import json

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.sorting import SortField, SortOrder
from pyiceberg.transforms import BucketTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, StructType

from lakegate_pyiceberg import env_catalog

catalog = env_catalog()
catalog.create_namespace("sales")
schema = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(
        2,
        "customer",
        StructType(NestedField(4, "name", StringType(), required=False), NestedField(5, "country", StringType(), required=False)),
        required=False,
    ),
    NestedField(3, "amount", DoubleType(), required=False),
    identifier_field_ids=[1],
)
table = catalog.create_table(
    "sales.orders",
    schema=schema,
    partition_spec=PartitionSpec(PartitionField(source_id=1, field_id=1000, transform=BucketTransform(4), name="id_bucket")),
    sort_order=SortOrder(SortField(source_id=3, transform=IdentityTransform())),
    properties={"owner": "console-test"},
)
arrow = table.schema().as_arrow()
table.append(pa.Table.from_pylist([
    {"id": 1, "customer": {"name": "Ada", "country": "GB"}, "amount": 10.5},
    {"id": 2, "customer": {"name": "Linus", "country": "FI"}, "amount": 20.0},
    {"id": 3, "customer": {"name": "Grace", "country": "US"}, "amount": 7.25},
], schema=arrow))
table.append(pa.Table.from_pylist([
    {"id": 4, "customer": {"name": "Edsger", "country": "NL"}, "amount": 3.0},
    {"id": 5, "customer": {"name": "Barbara", "country": "US"}, "amount": 99.0},
], schema=arrow))
table = catalog.load_table("sales.orders")
print(json.dumps({"snapshots": [str(s.snapshot_id) for s in table.snapshots()], "rows": table.scan().to_arrow().num_rows}))
