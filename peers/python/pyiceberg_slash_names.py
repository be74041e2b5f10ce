"""PyIceberg round trip of a table named with "/" in a namespace named with "/" (issue 42).

Create, append, load and read back, list, rename, drop with purge, against a Lakegate server on a file warehouse.
Checks that the table's files lie in one directory per name (`_py_2Fns/t_1-<uuid>`, issue 52: no escapes), not in
nested `py/ns/t/1`, and that a
purge removes them. Prints one JSON line: {"ok": true, ...} or {"ok": false, "failure": ...}.
Environment: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from lakegate_pyiceberg import env_catalog


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def main() -> dict[str, object]:
    catalog = env_catalog()
    ns = ("py/ns",)
    ident = ("py/ns", "t/1")
    renamed = ("py/ns", "t/2")
    catalog.create_namespace(ns)
    check(ns in catalog.list_namespaces(), f"namespace listed: {catalog.list_namespaces()}")
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
    table = catalog.create_table(ident, schema)
    location = table.metadata.location
    # One segment per name, with the catalog's unique suffix: .../_py_2Fns/t_1-<uuid>.
    check(re.search(r"/_py_2Fns/t_1-[0-9a-f]{32}$", location) is not None, f"location is one segment per name: {location}")
    rows = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": pa.array(["a", "b/c", "d"])})
    table.append(rows)
    table.append(rows)
    loaded = catalog.load_table(ident)
    back = loaded.scan().to_arrow().sort_by("id")
    check(back.num_rows == 6, f"6 rows read back, got {back.num_rows}")
    check(len(loaded.metadata.snapshots) == 2, f"two snapshots, got {len(loaded.metadata.snapshots)}")
    check(catalog.list_tables(ns) == [ident], f"list_tables: {catalog.list_tables(ns)}")
    root = Path(urlparse(location).path)
    data_files = [str(p) for p in root.rglob("*.parquet")]
    check(len(data_files) == 2, f"two data files under {root}: {data_files}")
    check(root.name.startswith("t_1-") and root.parent.name == "_py_2Fns", f"files in one directory per name: {root}")
    catalog.rename_table(ident, renamed)
    check(catalog.list_tables(ns) == [renamed], f"after rename: {catalog.list_tables(ns)}")
    check(catalog.load_table(renamed).scan().to_arrow().num_rows == 6, "renamed table reads back")
    catalog.purge_table(renamed)
    check(catalog.list_tables(ns) == [], f"after drop: {catalog.list_tables(ns)}")
    check(not any(root.rglob("*.parquet")), f"purge removed the data files under {root}")
    catalog.drop_namespace(ns)
    check(ns not in catalog.list_namespaces(), "namespace dropped")
    return {"location": location, "data_files": len(data_files)}


if __name__ == "__main__":
    try:
        print(json.dumps({"ok": True, **main()}))
    except Exception as e:  # noqa: BLE001 - reported to the test as one line
        print(json.dumps({"ok": False, "failure": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
