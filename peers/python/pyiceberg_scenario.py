#!/usr/bin/env python3
"""End-to-end PyIceberg 0.12 scenario against an Iceberg REST catalog.

The catalog is chosen by environment variables:

    CATALOG_URI               REST endpoint, e.g. http://127.0.0.1:8181 (required)
    CATALOG_WAREHOUSE         warehouse name or location (optional)
    CATALOG_CREDENTIAL        OAuth2 client credential "id:secret" (optional)
    CATALOG_OAUTH2_SERVER_URI token endpoint for the credential (optional)
    CATALOG_SCOPE             OAuth2 scope (optional, PyIceberg's default is "catalog")
    CATALOG_TOKEN             bearer token (optional)
    CATALOG_REST_PAGE_SIZE    page size the client asks for when listing (optional)
    CATALOG_PAGE_SIZE_TEST=1  also create 25 tables and 25 namespaces and expect
                              every one of them back from the (paged) list calls
    CATALOG_PAGE_SIZE_TEST_COUNT  how many to create for that (default 25)

Each step prints one JSON line, {"step", "status": "ok"|"fail"|"skip", "ms", ...},
and the run ends with one summary line {"summary": true, "ok", ...}. The first
failing step stops the scenario (later steps depend on its state); whatever was
created is then dropped on a best-effort basis. The exit code is 0 only when
every step passed.

Table files are written by PyIceberg itself, so the warehouse must be storage
this process can reach; the purge check expects a local (file:// or absolute
path) table location and says so in its detail otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyiceberg
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import StaticTable
from pyiceberg.table.sorting import NullOrder, SortDirection, SortField, SortOrder
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    ListType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
)


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


class ScenarioError(AssertionError):
    """A scenario expectation that did not hold."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioError(message)


def check_equal(actual: Any, expected: Any, what: str) -> None:
    if actual != expected:
        raise ScenarioError(f"{what}: expected {expected!r}, got {actual!r}")


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, default=str), flush=True)


def local_path(location: str) -> Path | None:
    """The local filesystem path of a table location, or None if it is remote."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and location.startswith("/"):
        return Path(location)
    return None


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows_of(table: pa.Table) -> list[dict[str, Any]]:
    """Rows sorted by id, as plain Python values, for exact comparisons."""
    return table.sort_by("id").to_pylist()


# --------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------

EVENTS_SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "category", StringType(), required=True),
    NestedField(3, "score", DoubleType(), required=False),
    NestedField(4, "active", BooleanType(), required=False),
    NestedField(5, "event_ts", TimestampType(), required=True),
    NestedField(6, "event_date", DateType(), required=False),
    NestedField(7, "amount", DecimalType(10, 2), required=False),
    NestedField(8, "quantity", IntegerType(), required=False),
    NestedField(9, "tags", ListType(10, StringType(), element_required=False), required=False),
    identifier_field_ids=[1],
)

EVENTS_SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=5, field_id=1001, transform=DayTransform(), name="event_day"),
)

EVENTS_SORT = SortOrder(
    SortField(source_id=1, transform=IdentityTransform(), direction=SortDirection.ASC, null_order=NullOrder.NULLS_FIRST),
)

SMALL_SCHEMA = Schema(NestedField(1, "id", LongType(), required=True))


def event_rows(first_id: int, count: int) -> list[dict[str, Any]]:
    base = dt.datetime(2026, 3, 1, 8, 30, 0)
    rows = []
    for i in range(first_id, first_id + count):
        ts = base + dt.timedelta(days=i % 3, minutes=i)
        rows.append(
            {
                "id": i,
                "category": "abc"[i % 3],
                "score": None if i % 7 == 0 else i * 1.5,
                "active": i % 2 == 0,
                "event_ts": ts,
                "event_date": ts.date(),
                "amount": Decimal(f"{i}.{i % 100:02d}"),
                "quantity": i * 10,
                "tags": [f"t{i}", "even" if i % 2 == 0 else "odd"] if i % 5 else None,
            }
        )
    return rows


def arrow_table(rows: list[dict[str, Any]], schema: Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema.as_arrow())


# --------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------


class Scenario:
    def __init__(self) -> None:
        self.run_id = secrets.token_hex(4)
        self.namespace = f"pyiceberg_{self.run_id}"
        self.events = (self.namespace, "events")
        self.ctas = (self.namespace, "events_ctas")
        self.renamed = (self.namespace, "events_copy")
        self.page_test = os.environ.get("CATALOG_PAGE_SIZE_TEST") == "1"
        self.page_count = int(os.environ.get("CATALOG_PAGE_SIZE_TEST_COUNT", "25"))
        self.catalog: Catalog | None = None
        self.expected_events: list[dict[str, Any]] = []
        # Everything created, so a failed run can still clean up after itself.
        self.created_tables: list[tuple[str, ...]] = []
        self.created_namespaces: list[tuple[str, ...]] = []

    @property
    def cat(self) -> Catalog:
        assert self.catalog is not None
        return self.catalog

    # -- steps ------------------------------------------------------------

    def connect(self) -> dict[str, Any]:
        uri = os.environ.get("CATALOG_URI")
        check(bool(uri), "CATALOG_URI is not set")
        properties = {"type": "rest", "uri": uri}
        optional = {
            "CATALOG_WAREHOUSE": "warehouse",
            "CATALOG_CREDENTIAL": "credential",
            "CATALOG_OAUTH2_SERVER_URI": "oauth2-server-uri",
            "CATALOG_SCOPE": "scope",
            "CATALOG_TOKEN": "token",
            "CATALOG_REST_PAGE_SIZE": "rest-page-size",
        }
        for env_name, prop in optional.items():
            if os.environ.get(env_name):
                properties[prop] = os.environ[env_name]
        self.catalog = load_catalog("lakegate", **properties)
        return {"uri": uri, "warehouse": properties.get("warehouse"), "pyiceberg": pyiceberg.__version__}

    def create_namespace(self) -> dict[str, Any]:
        ns = (self.namespace,)
        self.cat.create_namespace(ns, properties={"owner": "pyiceberg-scenario", "run": self.run_id})
        self.created_namespaces.append(ns)

        check(self.cat.namespace_exists(ns), f"namespace {ns} does not exist right after creation")
        props = self.cat.load_namespace_properties(ns)
        check_equal(props.get("owner"), "pyiceberg-scenario", "namespace property 'owner'")
        check_equal(props.get("run"), self.run_id, "namespace property 'run'")
        check(ns in self.cat.list_namespaces(), f"{ns} missing from list_namespaces()")
        return {"namespace": self.namespace}

    def create_table(self) -> dict[str, Any]:
        table = self.cat.create_table(
            self.events,
            schema=EVENTS_SCHEMA,
            partition_spec=EVENTS_SPEC,
            sort_order=EVENTS_SORT,
            properties={"write.format.default": "parquet", "scenario.run": self.run_id},
        )
        self.created_tables.append(self.events)

        loaded = self.cat.load_table(self.events)
        check_equal(loaded.metadata.table_uuid, table.metadata.table_uuid, "table uuid after reload")
        check_equal(
            [(f.name, str(f.field_type), f.required) for f in loaded.schema().fields],
            [(f.name, str(f.field_type), f.required) for f in EVENTS_SCHEMA.fields],
            "schema after create",
        )
        check_equal(
            [(f.name, str(f.transform)) for f in loaded.spec().fields],
            [("category", "identity"), ("event_day", "day")],
            "partition spec after create",
        )
        sort_fields = loaded.sort_order().fields
        check_equal(len(sort_fields), 1, "number of sort fields")
        check_equal(loaded.schema().find_column_name(sort_fields[0].source_id), "id", "sort column")
        check_equal(sort_fields[0].direction, SortDirection.ASC, "sort direction")
        check_equal(loaded.properties.get("scenario.run"), self.run_id, "table property 'scenario.run'")
        check(loaded.current_snapshot() is None, "a new table should have no snapshot")
        return {"location": loaded.location(), "format_version": loaded.format_version}

    def append_and_read(self) -> dict[str, Any]:
        table = self.cat.load_table(self.events)
        first, second = event_rows(1, 12), event_rows(13, 12)

        table.append(arrow_table(first, EVENTS_SCHEMA))
        table.append(arrow_table(second, EVENTS_SCHEMA))
        self.expected_events = first + second

        reloaded = self.cat.load_table(self.events)
        check_equal(len(reloaded.snapshots()), 2, "snapshot count after two appends")
        result = reloaded.scan().to_arrow()
        check_equal(result.num_rows, len(self.expected_events), "row count after two appends")
        check_equal(rows_of(result), self.expected_events, "rows read back after two appends")

        only_b = reloaded.scan(row_filter="category == 'b'").to_arrow()
        check_equal(
            rows_of(only_b),
            [r for r in self.expected_events if r["category"] == "b"],
            "rows read back with filter category == 'b'",
        )
        summary = reloaded.current_snapshot().summary  # type: ignore[union-attr]
        return {"rows": result.num_rows, "snapshots": 2, "total_data_files": summary.get("total-data-files")}

    def evolve_schema(self) -> dict[str, Any]:
        table = self.cat.load_table(self.events)
        before = table.schema()
        with table.update_schema() as update:
            update.add_column("note", StringType(), doc="added by the scenario")
            update.rename_column("score", "rating")

        after = self.cat.load_table(self.events).schema()
        check(after.schema_id != before.schema_id, "schema id did not change after evolution")
        names = [f.name for f in after.fields]
        check("score" not in names, f"old column 'score' still present: {names}")
        check_equal(after.find_field("rating").field_id, before.find_field("score").field_id, "field id of renamed column")
        note = after.find_field("note")
        check(not note.required, "added column 'note' must be optional")
        check_equal(str(note.field_type), "string", "type of added column 'note'")
        check_equal(note.field_id, before.highest_field_id + 1, "field id of added column 'note'")

        # Old rows read through the new schema: renamed values kept, new column null.
        rows = rows_of(self.cat.load_table(self.events).scan().to_arrow())
        expected = [
            {**{k: v for k, v in r.items() if k != "score"}, "rating": r["score"], "note": None}
            for r in self.expected_events
        ]
        check_equal([sorted(r.items()) for r in rows], [sorted(r.items()) for r in expected], "rows after evolution")
        return {"schema_id": after.schema_id, "columns": names}

    def create_table_transaction(self) -> dict[str, Any]:
        source = self.cat.load_table(self.events)
        data = source.scan().to_arrow()

        txn = self.cat.create_table_transaction(self.ctas, schema=source.schema(), properties={"created-by": "ctas"})
        self.created_tables.append(self.ctas)
        check(not self.cat.table_exists(self.ctas), "staged table is visible before commit_transaction()")
        txn.append(data)
        txn.commit_transaction()

        created = self.cat.load_table(self.ctas)
        check_equal(len(created.snapshots()), 1, "snapshot count of the transaction-created table")
        check_equal(created.properties.get("created-by"), "ctas", "table property 'created-by'")
        check_equal(rows_of(created.scan().to_arrow()), rows_of(data), "rows of the transaction-created table")
        return {"rows": data.num_rows, "location": created.location()}

    def rename_table(self) -> dict[str, Any]:
        uuid_before = self.cat.load_table(self.ctas).metadata.table_uuid
        self.cat.rename_table(self.ctas, self.renamed)
        self.created_tables.append(self.renamed)

        check(not self.cat.table_exists(self.ctas), f"old name {self.ctas} still exists after rename")
        try:
            self.cat.load_table(self.ctas)
            raise ScenarioError(f"load_table({self.ctas}) succeeded after rename")
        except NoSuchTableError:
            pass
        renamed = self.cat.load_table(self.renamed)
        check_equal(renamed.metadata.table_uuid, uuid_before, "table uuid after rename")
        check_equal(renamed.scan().to_arrow().num_rows, len(self.expected_events), "row count after rename")
        return {"from": ".".join(self.ctas), "to": ".".join(self.renamed)}

    def list_tables_and_namespaces(self) -> dict[str, Any]:
        tables = set(self.cat.list_tables(self.namespace))
        check_equal(tables, {self.events, self.renamed}, "list_tables")
        check((self.namespace,) in self.cat.list_namespaces(), "namespace missing from list_namespaces()")
        return {"tables": sorted(".".join(t) for t in tables)}

    def list_pagination(self) -> dict[str, Any]:
        n = self.page_count
        table_ids = [(self.namespace, f"page_{i:02d}") for i in range(n)]
        namespace_ids = [(f"{self.namespace}_p{i:02d}",) for i in range(n)]
        for ident in table_ids:
            self.cat.create_table(ident, schema=SMALL_SCHEMA)
            self.created_tables.append(ident)
        for ns in namespace_ids:
            self.cat.create_namespace(ns)
            self.created_namespaces.append(ns)

        listed_tables = self.cat.list_tables(self.namespace)
        check_equal(len(listed_tables), len(set(listed_tables)), "list_tables returned duplicates")
        check_equal(set(listed_tables), set(table_ids) | {self.events, self.renamed}, "paged list_tables")

        ours = [ns for ns in self.cat.list_namespaces() if ns[0].startswith(f"{self.namespace}_p")]
        check_equal(len(ours), len(set(ours)), "list_namespaces returned duplicates")
        check_equal(set(ours), set(namespace_ids), "paged list_namespaces")

        for ident in table_ids:
            self.cat.drop_table(ident)
        for ns in namespace_ids:
            self.cat.drop_namespace(ns)
        return {"tables_listed": len(listed_tables), "namespaces_listed": len(ours)}

    def gzip_metadata(self) -> dict[str, Any]:
        """A table with write.metadata.compression-codec=gzip: the server writes .gz.metadata.json files that
        PyIceberg reads straight from storage (StaticTable), not through the catalog's JSON."""
        ident = (self.namespace, "events_gz")
        self.cat.create_table(ident, schema=EVENTS_SCHEMA, properties={"write.metadata.compression-codec": "gzip"})
        self.created_tables.append(ident)
        rows = event_rows(1, 5)
        self.cat.load_table(ident).append(arrow_table(rows, EVENTS_SCHEMA))
        loaded = self.cat.load_table(ident)
        location = loaded.metadata_location
        check(location.endswith(".gz.metadata.json"), f"metadata file {location} is not named as gzip-compressed")
        first = loaded.metadata.metadata_log[0].metadata_file
        check(first.endswith(".gz.metadata.json"), f"first metadata file {first} is not named as gzip-compressed")
        if local_path(location) is not None:
            with open(local_path(location), "rb") as f:  # type: ignore[arg-type]
                check(f.read(2) == b"\x1f\x8b", f"{location} does not start with the gzip magic bytes")
        # With the table's own FileIO properties: on object storage, the credentials the catalog vended for it.
        static = StaticTable.from_metadata(location, properties=loaded.io.properties)
        check_equal(static.metadata.table_uuid, loaded.metadata.table_uuid, "table uuid read from the compressed file")
        check_equal(rows_of(static.scan().to_arrow()), rows, "rows read through the compressed metadata file")
        check(StaticTable.from_metadata(first, properties=loaded.io.properties).current_snapshot() is None, "the first compressed file has no snapshot")
        purged = self.purge_and_check(ident)
        return {"metadata_location": location, "purged_files": purged.get("files_deleted")}

    def purge_and_check(self, ident: tuple[str, ...]) -> dict[str, Any]:
        """purge_table(ident), then expect the table gone and no file left under its location."""
        location = self.cat.load_table(ident).location()
        root = local_path(location)
        files_before = files_under(root) if root else []
        if root:
            check(len(files_before) > 0, f"expected data and metadata files under {root} before purging {ident}")

        self.cat.purge_table(ident)
        check(not self.cat.table_exists(ident), f"{ident} still exists after purge_table")

        if root is None:
            return {"location": location, "files_check": "skipped: not a local location"}
        leftovers = files_under(root)
        check(not leftovers, f"{len(leftovers)} file(s) left under {root} after purge: {[str(p) for p in leftovers[:5]]}")
        return {"location": location, "files_deleted": len(files_before)}

    def purge_table(self) -> dict[str, Any]:
        return self.purge_and_check(self.events)

    def drop_namespace(self) -> dict[str, Any]:
        ns = (self.namespace,)
        # The renamed table still lives under its original location: purging it
        # checks that the server deletes by metadata, not by the current name.
        check_equal(self.cat.list_tables(ns), [self.renamed], "tables left in namespace")
        purged = self.purge_and_check(self.renamed)
        check_equal(self.cat.list_tables(ns), [], "tables left in namespace after purge")
        self.cat.drop_namespace(ns)

        check(not self.cat.namespace_exists(ns), f"namespace {ns} still exists after drop")
        check(ns not in self.cat.list_namespaces(), f"{ns} still listed after drop")
        try:
            self.cat.load_namespace_properties(ns)
            raise ScenarioError(f"load_namespace_properties({ns}) succeeded after drop")
        except NoSuchNamespaceError:
            pass
        return {"namespace": self.namespace, "purged": ".".join(self.renamed), "purged_files": purged.get("files_deleted")}

    # -- running -----------------------------------------------------------

    def steps(self) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
        steps = [
            ("connect", self.connect),
            ("create_namespace", self.create_namespace),
            ("create_table", self.create_table),
            ("append_and_read", self.append_and_read),
            ("evolve_schema", self.evolve_schema),
            ("create_table_transaction", self.create_table_transaction),
            ("rename_table", self.rename_table),
            ("list_tables_and_namespaces", self.list_tables_and_namespaces),
            ("gzip_metadata", self.gzip_metadata),
        ]
        if self.page_test:
            steps.append(("list_pagination", self.list_pagination))
        steps += [
            ("purge_table", self.purge_table),
            ("drop_namespace", self.drop_namespace),
        ]
        return steps

    def cleanup(self) -> list[str]:
        """Drop whatever a failed run left behind; never raises."""
        if self.catalog is None:
            return []
        dropped = []
        for ident in reversed(self.created_tables):
            try:
                self.catalog.drop_table(ident, purge_requested=True)
                dropped.append(".".join(ident))
            except NoSuchTableError:
                pass
            except Exception as exc:  # noqa: BLE001 - best effort
                print(f"cleanup: could not drop table {ident}: {exc}", file=sys.stderr)
        for ns in reversed(self.created_namespaces):
            try:
                self.catalog.drop_namespace(ns)
                dropped.append(".".join(ns))
            except NoSuchNamespaceError:
                pass
            except Exception as exc:  # noqa: BLE001 - best effort
                print(f"cleanup: could not drop namespace {ns}: {exc}", file=sys.stderr)
        return dropped

    def run(self) -> int:
        started = time.monotonic()
        passed = failed = skipped = 0
        failure: str | None = None
        for name, step in self.steps():
            if failure is not None:
                emit({"step": name, "status": "skip", "reason": "an earlier step failed"})
                skipped += 1
                continue
            t0 = time.monotonic()
            try:
                detail = step()
            except Exception as exc:  # noqa: BLE001 - report every failure the same way
                failure = f"{name}: {type(exc).__name__}: {exc}"
                traceback.print_exc(file=sys.stderr)
                emit({"step": name, "status": "fail", "ms": _ms(t0), "error": f"{type(exc).__name__}: {exc}"})
                failed += 1
            else:
                emit({"step": name, "status": "ok", "ms": _ms(t0), **detail})
                passed += 1

        left_behind = self.cleanup() if failure else []
        if left_behind:
            emit({"step": "cleanup", "status": "ok", "dropped": left_behind})
        emit(
            {
                "summary": True,
                "ok": failure is None,
                "passed": passed,
                "failed": failed,
                "skipped": skipped,
                "failure": failure,
                "namespace": self.namespace,
                "pyiceberg": pyiceberg.__version__,
                "ms": _ms(started),
            }
        )
        return 0 if failure is None else 1


def _ms(since: float) -> int:
    return int((time.monotonic() - since) * 1000)


if __name__ == "__main__":
    sys.exit(Scenario().run())
