"""PyIceberg 0.12 side of test/interop/warehouse-storage-minio.test.ts (issue 52: a warehouse's storage profile changed).

One phase: loads the table db.py (creating the namespace and table when missing) with vended credentials, appends one
row with id argv[1], reads the table whole, and prints one JSON line: the ids read back (sorted), the S3 endpoint the
catalog handed PyIceberg's FileIO, and the data files of the current snapshot.
Environment: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL.
"""
import json
import os
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField

catalog = load_catalog(
    "lakegate",
    **{
        "type": "rest",
        "uri": os.environ["CATALOG_URI"],
        "warehouse": os.environ["CATALOG_WAREHOUSE"],
        "credential": os.environ["CATALOG_CREDENTIAL"],
        "header.X-Iceberg-Access-Delegation": "vended-credentials",
    },
)
try:
    catalog.create_namespace(("db",))
except NamespaceAlreadyExistsError:
    pass
schema = Schema(NestedField(1, "id", LongType(), required=False))
table = catalog.create_table_if_not_exists(("db", "py"), schema=schema)
table.append(pa.table({"id": pa.array([int(sys.argv[1])], type=pa.int64())}))
table = catalog.load_table(("db", "py"))
ids = sorted(table.scan().to_arrow().column("id").to_pylist())
files = [task.file.file_path for task in table.scan().plan_files()]
print(json.dumps({"ids": ids, "endpoint": table.io.properties.get("s3.endpoint"), "files": files}))
