"""PyIceberg 0.12 side of test/interop/maintenance-pyiceberg.test.ts (issue 39: snapshot expiry run by the catalog).

Phases (argv[1]), each printing one JSON line on stdout:
  write   NS TABLE   creates the table, makes many small appends and two overwrites; prints every snapshot id
                     (oldest first) and the rows each of them reads
  verify  NS TABLE   JSON in $MAINT_EXPECTED {"kept": [ids], "expired": [ids], "rows": {id: rows}}: reads each kept snapshot
                     (time travel) and compares with the rows it read before, time-travels to each expired snapshot
                     (which must fail), and prints every file the kept snapshots reach (manifest lists, manifests,
                     data and delete files), as PyIceberg itself finds them
  read    NS TABLE   prints the current rows (or the error when the table cannot be loaded), the top-level
                     namespaces PyIceberg lists and NS's properties (or the error when it cannot load them)
"""
import json
import os
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType


def catalog():
    props = {"type": "rest", "uri": os.environ["CATALOG_URI"], "warehouse": os.environ["CATALOG_WAREHOUSE"], "credential": os.environ["CATALOG_CREDENTIAL"]}
    return load_catalog("lakegate", **props)


def rows(table, snapshot_id=None):
    scan = table.scan(snapshot_id=snapshot_id) if snapshot_id is not None else table.scan()
    data = scan.to_arrow().to_pylist()
    return sorted([[r["id"], r["v"]] for r in data])


def batch(ids, tag):
    return pa.table({"id": pa.array(ids, pa.int64()), "v": pa.array([f"{tag}-{i}" for i in ids], pa.string())})


def write(cat, ns, name):
    cat.create_namespace_if_not_exists((ns,))
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "v", StringType(), required=False))
    table = cat.create_table((ns, name), schema=schema, properties={"format-version": "2"})
    for i in range(8):
        table.append(batch([i * 10 + j for j in range(3)], f"a{i}"))
    table.overwrite(batch([1000, 1001], "o1"))
    for i in range(3):
        table.append(batch([2000 + i], f"b{i}"))
    table.overwrite(batch([3000, 3001, 3002], "o2"))
    table.append(batch([4000], "c"))
    table = cat.load_table((ns, name))
    history = [s.snapshot_id for s in sorted(table.snapshots(), key=lambda s: (s.sequence_number, s.timestamp_ms))]
    return {"location": table.location(), "snapshots": [str(s) for s in history], "rows": {str(s): rows(table, s) for s in history}}


def reachable(table, snapshot):
    io = table.io
    files = {snapshot.manifest_list}
    for manifest in snapshot.manifests(io):
        files.add(manifest.manifest_path)
        for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
            files.add(entry.data_file.file_path)
    return files


def verify(cat, ns, name, expected):
    table = cat.load_table((ns, name))
    known = {str(s.snapshot_id): s for s in table.snapshots()}
    out = {"kept_identical": {}, "expired_errors": {}, "reachable": [], "snapshots": sorted(known)}
    files = set()
    for sid in expected["kept"]:
        out["kept_identical"][sid] = sid in known and rows(table, int(sid)) == expected["rows"][sid]
        if sid in known:
            files |= reachable(table, known[sid])
    for sid in expected["expired"]:
        try:
            rows(table, int(sid))
            out["expired_errors"][sid] = None
        except Exception as e:  # noqa: BLE001 - the test asserts the kind of failure
            out["expired_errors"][sid] = f"{type(e).__name__}: {e}"
    out["reachable"] = sorted(files)
    return out


def read(cat, ns, name):
    listed = {"namespaces": sorted(".".join(n) for n in cat.list_namespaces())}
    try:
        listed["properties"] = cat.load_namespace_properties(ns)
    except Exception as e:  # noqa: BLE001
        listed["namespace_error"] = f"{type(e).__name__}: {e}"
    try:
        table = cat.load_table((ns, name))
    except Exception as e:  # noqa: BLE001
        return {**listed, "error": f"{type(e).__name__}: {e}"}
    return {**listed, "rows": rows(table)}


def main():
    phase, ns, name = sys.argv[1], sys.argv[2], sys.argv[3]
    cat = catalog()
    if phase == "write":
        result = write(cat, ns, name)
    elif phase == "verify":
        result = verify(cat, ns, name, json.loads(os.environ["MAINT_EXPECTED"]))
    else:
        result = read(cat, ns, name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
