#!/usr/bin/env python3
"""PyIceberg 0.12 with remote signing against a Lakegate server: FsspecFileIO (s3fs) whose S3V4RestSigner asks
the catalog to sign every S3 request. The process holds no storage key: the table config names the signer
(s3.signer, s3.signer.endpoint) and the catalog signs with the warehouse's own key.

Environment:
    CATALOG_URI        REST endpoint (required)
    CATALOG_WAREHOUSE  warehouse name (required)
    CATALOG_TOKEN      bearer token of the writer (required)
    READER_TOKEN       bearer token of a principal with table:read-data only (required)
    NAMESPACE, TABLE   where to write (required)

One JSON line per step ({"step", "status": "ok"|"fail", ...}); exit code 0 only when every step passed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import fsspec.config
import pyarrow as pa
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from lakegate_pyiceberg import Steps

# PyIceberg 0.12's FsspecFileIO installs its S3V4RestSigner per thread by unregistering, then registering, a
# before-sign handler on `fs.s3.meta.events`, with botocore's own signing off (UNSIGNED). fsspec caches an async
# S3FileSystem per process, not per thread, so every scan or commit worker that first touches S3 unregisters the
# handler of the one client all threads share: a request another thread sends in that gap goes out with no
# signature at all (it never reaches the catalog's signer) and MinIO answers 403 (apache/iceberg-python#3896).
# Seen here as "PermissionError: Forbidden" on an unsigned HeadObject of the previous manifest list during the
# second append, then "read back 3 rows". One S3FileSystem per thread (fsspec's own `skip_instance_cache`, which
# an operator sets as FSSPEC_S3='{"skip_instance_cache": true}') gives each thread its own client and handler.
fsspec.config.conf.setdefault("s3", {})["skip_instance_cache"] = True

step = Steps()


def catalog(token: str) -> Catalog:
    return load_catalog(
        "lakegate",
        **{
            "type": "rest",
            "uri": os.environ["CATALOG_URI"],
            "warehouse": os.environ["CATALOG_WAREHOUSE"],
            "token": token,
            "py-io-impl": "pyiceberg.io.fsspec.FsspecFileIO",
            "header.X-Iceberg-Access-Delegation": "remote-signing",
        },
    )


def main() -> None:
    ns, name = os.environ["NAMESPACE"], os.environ["TABLE"]
    writer = catalog(os.environ["CATALOG_TOKEN"])
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
    rows = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": pa.array(["a", "b", "c"])})

    def create() -> dict[str, Any]:
        writer.create_namespace_if_not_exists(ns)
        table = writer.create_table((ns, name), schema=schema)
        io = table.io.properties
        leaked = sorted(k for k in io if "secret" in k or "access-key" in k or "session-token" in k)
        if leaked:
            raise AssertionError(f"storage keys in the table's FileIO properties: {leaked}")
        return {"signer": io.get("s3.signer"), "endpoint": io.get("s3.signer.endpoint"), "io": type(table.io).__name__}

    def append() -> dict[str, Any]:
        table = writer.load_table((ns, name))
        table.append(rows)
        table.append(rows.slice(0, 1))
        return {"snapshots": len(table.metadata.snapshots)}

    def read() -> dict[str, Any]:
        table = writer.load_table((ns, name))
        got = table.scan().to_arrow()
        if got.num_rows != 4 or sorted(got.column("name").to_pylist()) != ["a", "a", "b", "c"]:
            raise AssertionError(f"read back {got.num_rows} rows: {got.to_pylist()}")
        return {"rows": got.num_rows}

    def create_transaction() -> dict[str, Any]:
        # A create-table transaction (stage-create): its files are signed for whoever staged it.
        txn = writer.create_table_transaction((ns, f"{name}_ctas"), schema=schema)
        txn.append(rows)
        txn.commit_transaction()
        return {"rows": writer.load_table((ns, f"{name}_ctas")).scan().to_arrow().num_rows}

    def reader_reads_not_writes() -> dict[str, Any]:
        reader = catalog(os.environ["READER_TOKEN"])
        table = reader.load_table((ns, name))
        rows_read = table.scan().to_arrow().num_rows
        try:
            table.append(rows)
        except Exception as e:  # noqa: BLE001 - the signer's refusal surfaces as some client error
            return {"rows": rows_read, "write_refused": f"{type(e).__name__}: {e}"[:500]}
        raise AssertionError("the reader's append succeeded")

    step("create", create)
    step("append", append)
    step("read", read)
    step("create-transaction", create_transaction)
    step("reader", reader_reads_not_writes)
    sys.exit(1 if step.failed else 0)


if __name__ == "__main__":
    main()
