#!/usr/bin/env python3
"""PyIceberg 0.12 with SigV4 request signing (rest.sigv4-enabled) against a Lakegate server.

No bearer credential is configured: every request, /v1/config included, is signed by
botocore's SigV4Auth inside PyIceberg's SigV4Adapter with the access key boto3 finds in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.

Environment:
    CATALOG_URI          REST endpoint (required)
    CATALOG_WAREHOUSE    warehouse name (default "default")
    SIGNING_NAME         rest.signing-name (unset: PyIceberg's default, execute-api)
    SIGNING_REGION       rest.signing-region (required)
    SIGV4_MODE           "scenario" (default) or "expect-unauthorized" (the catalog must
                         refuse the first request; prints the exception PyIceberg raised)

One JSON line per step ({"step", "status": "ok"|"fail", ...}) and a final summary line
({"summary": true, "ok", ...}); the exit code is 0 only when every step passed.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import boto3
import botocore
import pyarrow as pa
import pyiceberg
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

# Names with a space, "+" and non-ASCII characters: the path is percent-encoded by
# PyIceberg and then encoded once more by SigV4's canonicalization, so the server
# must canonicalize exactly as botocore does for these to verify. (The parent stays
# plain: PyIceberg 0.12 percent-encodes ?parent= twice, see docs/compatibility.md.)
PARENT = "sigv4_ns"
CHILD = "kid +é"
TABLE = "events 1"


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def catalog() -> Catalog:
    props = {
        "type": "rest",
        "uri": os.environ["CATALOG_URI"],
        "warehouse": os.environ.get("CATALOG_WAREHOUSE", "default"),
        "rest.sigv4-enabled": "true",
        "rest.signing-region": os.environ["SIGNING_REGION"],
    }
    if os.environ.get("SIGNING_NAME"):
        props["rest.signing-name"] = os.environ["SIGNING_NAME"]
    return load_catalog("lakegate", **props)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def scenario() -> int:
    passed = 0
    failure: str | None = None
    state: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], Any]) -> bool:
        nonlocal passed, failure
        try:
            detail = fn()
            passed += 1
            emit({"step": name, "status": "ok", **({"detail": detail} if detail is not None else {})})
            return True
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the run stops
            failure = f"{name}: {type(e).__name__}: {e}"
            emit({"step": name, "status": "fail", "error": failure, "trace": traceback.format_exc()})
            return False

    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        identifier_field_ids=[1],
    )
    arrow_schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
    first = pa.Table.from_pylist([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], schema=arrow_schema)
    second = pa.Table.from_pylist([{"id": 3, "name": "ç"}], schema=arrow_schema)
    ns = (PARENT, CHILD)

    def connect() -> dict[str, str]:
        state["cat"] = catalog()
        return {"pyiceberg": pyiceberg.__version__, "boto3": boto3.__version__, "botocore": botocore.__version__}

    def create_namespaces() -> None:
        cat: Catalog = state["cat"]
        cat.create_namespace((PARENT,), {"owner": "sigv4"})
        cat.create_namespace(ns)

    def list_namespaces() -> None:
        cat: Catalog = state["cat"]
        check((PARENT,) in cat.list_namespaces(), "parent namespace not listed")
        check(ns in cat.list_namespaces((PARENT,)), "child namespace not listed under its parent")
        check(cat.load_namespace_properties((PARENT,)).get("owner") == "sigv4", "namespace property lost")
        cat.update_namespace_properties((PARENT,), removals={"owner"}, updates={"team": "identity"})

    def create_table() -> None:
        cat: Catalog = state["cat"]
        state["table"] = cat.create_table((*ns, TABLE), schema=schema)

    def append_and_read() -> dict[str, int]:
        cat: Catalog = state["cat"]
        state["table"].append(first)
        cat.load_table((*ns, TABLE)).append(second)
        rows = cat.load_table((*ns, TABLE)).scan().to_arrow().sort_by("id").to_pylist()
        check(rows == first.to_pylist() + second.to_pylist(), f"read back {rows}")
        return {"rows": len(rows)}

    def list_tables() -> None:
        cat: Catalog = state["cat"]
        check(cat.list_tables(ns) == [(*ns, TABLE)], f"tables: {cat.list_tables(ns)}")
        check(cat.table_exists((*ns, TABLE)), "table_exists is false")

    def drop() -> None:
        cat: Catalog = state["cat"]
        cat.purge_table((*ns, TABLE))
        try:
            cat.load_table((*ns, TABLE))
            raise AssertionError("table still loads after purge")
        except NoSuchTableError:
            pass
        cat.drop_namespace(ns)
        cat.drop_namespace((PARENT,))
        check((PARENT,) not in cat.list_namespaces(), "namespace still listed after drop")

    for name, fn in [
        ("connect", connect),
        ("create_namespaces", create_namespaces),
        ("list_namespaces", list_namespaces),
        ("create_table", create_table),
        ("append_and_read", append_and_read),
        ("list_tables", list_tables),
        ("drop", drop),
    ]:
        if not step(name, fn):
            break
    emit({"summary": True, "ok": failure is None, "passed": passed, "failure": failure})
    return 0 if failure is None else 1


def expect_unauthorized() -> int:
    try:
        catalog().list_namespaces()
    except Exception as e:  # noqa: BLE001 - the test asserts the exception type
        emit({"summary": True, "ok": True, "raised": type(e).__name__, "module": type(e).__module__, "message": str(e)})
        return 0
    emit({"summary": True, "ok": False, "raised": None})
    return 1


if __name__ == "__main__":
    sys.exit(expect_unauthorized() if os.environ.get("SIGV4_MODE") == "expect-unauthorized" else scenario())
