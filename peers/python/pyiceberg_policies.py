#!/usr/bin/env python3
"""PyIceberg 0.12 against row-filter and column-mask policies (issue 53): a writer creates a table partitioned by
region with an email and a birth date on S3 (remote signing), then each reader scans it in server planning mode
(scan-planning-mode=server). A restricted reader gets no storage access from loadTable: its FileIO signs through the
catalog's table sign endpoint, which signs only its policy's derived files, the only files its plans name.

Environment:
    CATALOG_URI, CATALOG_WAREHOUSE, S3_ENDPOINT   (required)
    MODE            "write", "write-dotted", "write-plain", "rename" (region to region_old, a new region, six more rows) or "read"
    WRITER_TOKEN    bearer token of the writer (write)
    READER_TOKENS   JSON object name -> bearer token (read)
    POLICY_TABLE    "namespace.table" to read (read; default crm.people): each row is answered as its columns'
                    values in schema order (dates and times in ISO form)

One JSON line per step; exit code 0 only when every step passed.
"""

from __future__ import annotations

import datetime
import json
import os
import traceback
from typing import Any

import fsspec.config
import pyarrow as pa
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DateType, LongType, NestedField, StringType, StructType

# One S3FileSystem per thread: PyIceberg 0.12's per-thread signer handler on a shared client (apache/iceberg-python#3896).
fsspec.config.conf.setdefault("s3", {})["skip_instance_cache"] = True

NS, TABLE = os.environ.get("POLICY_TABLE", "crm.people").split(".", 1)
failed = False


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, default=str), flush=True)


def step(name: str, fn: Any) -> Any:
    global failed
    try:
        detail = fn()
        emit({"step": name, "status": "ok", **(detail if isinstance(detail, dict) else {})})
        return detail
    except Exception as e:  # noqa: BLE001 - every failure is reported as a step
        failed = True
        emit({"step": name, "status": "fail", "error": f"{type(e).__name__}: {e}"[:2000], "trace": traceback.format_exc()[-3000:]})
        return None


def catalog(token: str, server_planning: bool) -> Catalog:
    uri = os.environ["CATALOG_URI"]
    props = {
        "type": "rest",
        "uri": uri,
        "warehouse": os.environ["CATALOG_WAREHOUSE"],
        "token": token,
        "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO",
        "header.X-Iceberg-Access-Delegation": "remote-signing",
    }
    if server_planning:
        # Set by the client: a restricted caller's loadTable names no signer (it hands out no table-wide access).
        props.update({
            "scan-planning-mode": "server",
            "s3.signer": "S3V4RestSigner",
            "s3.signer.uri": uri,
            "s3.signer.endpoint": f"v1/{os.environ['CATALOG_WAREHOUSE']}/namespaces/{NS}/tables/{TABLE}/sign",
            "s3.endpoint": os.environ["S3_ENDPOINT"],
            "s3.region": "us-east-1",
        })
    return load_catalog("lakegate", **props)


SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "region", StringType(), required=False),
    NestedField(3, "email", StringType(), required=False),
    NestedField(4, "born", DateType(), required=False),
)
ARROW = pa.schema([("id", pa.int64()), ("region", pa.string()), ("email", pa.string()), ("born", pa.date32())])


def batch(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table(
        {
            "id": ids,
            "region": ["eu" if i % 3 != 1 else "us" for i in ids],
            "email": [None if i % 7 == 6 else f"User{i}@Example{i % 4}.org" for i in ids],
            "born": [datetime.date(1970, 1, 1) + datetime.timedelta(days=400 * i + 17) for i in ids],
        },
        schema=ARROW,
    )


def write() -> None:
    writer = catalog(os.environ["WRITER_TOKEN"], server_planning=False)

    def create() -> dict[str, Any]:
        writer.create_namespace_if_not_exists(NS)
        spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"))
        table = writer.create_table((NS, TABLE), schema=SCHEMA, partition_spec=spec)
        table.append(batch(0, 12))
        table.append(batch(12, 9))
        return {"rows": table.scan().to_arrow().num_rows, "location": table.metadata.location}

    step("write", create)


# Fields whose own names hold a '.': a column "x.y" and a struct's field "a.b" (Iceberg's name index: "person.a.b").
DOTTED = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "x.y", StringType(), required=False),
    NestedField(3, "person", StructType(NestedField(4, "a.b", StringType(), required=False), NestedField(5, "c", StringType(), required=False)), required=False),
)


def write_dotted() -> None:
    """POLICY_TABLE with DOTTED's schema and ten rows: x.y "eu" on even ids; person null on ids 4 and 9, else a.b "keep" on ids divisible by 3."""
    writer = catalog(os.environ["WRITER_TOKEN"], server_planning=False)

    def create() -> dict[str, Any]:
        writer.create_namespace_if_not_exists(NS)
        table = writer.create_table((NS, TABLE), schema=DOTTED)
        ids = list(range(10))
        arrow = pa.table(
            {
                "id": ids,
                "x.y": ["eu" if i % 2 == 0 else "us" for i in ids],
                "person": [None if i % 5 == 4 else {"a.b": "keep" if i % 3 == 0 else "drop", "c": f"c{i}"} for i in ids],
            },
            schema=DOTTED.as_arrow(),
        )
        table.append(arrow)
        return {"rows": table.scan().to_arrow().num_rows}

    step("write", create)


def write_plain() -> None:
    """POLICY_TABLE unpartitioned, with SCHEMA's columns and batch(0, 12)'s rows (the rename test's table)."""
    writer = catalog(os.environ["WRITER_TOKEN"], server_planning=False)

    def create() -> dict[str, Any]:
        writer.create_namespace_if_not_exists(NS)
        table = writer.create_table((NS, TABLE), schema=SCHEMA)
        table.append(batch(0, 12))
        return {"rows": table.scan().to_arrow().num_rows}

    step("write", create)


def rename() -> None:
    """Renames POLICY_TABLE's region to region_old (one schema commit), adds a new string column region (another), and
    appends six rows whose region is the opposite of their region_old."""
    writer = catalog(os.environ["WRITER_TOKEN"], server_planning=False)

    def evolve() -> dict[str, Any]:
        table = writer.load_table((NS, TABLE))
        with table.update_schema() as update:
            update.rename_column("region", "region_old")
        with table.update_schema() as update:
            update.add_column("region", StringType())
        # Rows written after: ids 12..17, the new region the opposite of region_old ("us" where it is "eu").
        more = batch(12, 6).rename_columns(["id", "region_old", "email", "born"])
        opposite = pa.array(["us" if r == "eu" else "eu" for r in more.column("region_old").to_pylist()], pa.string())
        table.append(more.append_column("region", opposite))
        return {"fields": [[f.field_id, f.name] for f in table.schema().fields]}

    step("rename", evolve)


def read() -> None:
    for name, token in json.loads(os.environ["READER_TOKENS"]).items():

        def scan(token: str = token) -> dict[str, Any]:
            cat = catalog(token, server_planning=True)
            if not cat.supports_server_side_planning():
                raise AssertionError("the catalog does not plan on the server")
            table = cat.load_table((NS, TABLE))
            files = sorted(t.file.file_path for t in table.scan().plan_files())
            rows = table.scan().to_arrow().sort_by("id").to_pylist()
            return {"files": files, "rows": [[v.isoformat() if hasattr(v, "isoformat") else v for v in r.values()] for r in rows]}

        step(f"read:{name}", scan)


def main() -> None:
    {"write": write, "write-dotted": write_dotted, "write-plain": write_plain, "rename": rename}.get(os.environ["MODE"], read)()
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
