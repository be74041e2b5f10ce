"""PyIceberg 0.12 side of test/interop/compaction-zorder-pyiceberg.test.ts (issue 59: z-order compaction).

Phases (argv[1]), each printing one JSON line on stdout:
  write   NS TABLE [N]  creates an unpartitioned table (id, x, y: longs; name: string) and makes 16 small appends of
                     N (default 512) random points each (x in [-2^19, 2^19), y in [0, 2^20), a fixed seed); prints
                     the rows (N 512 only; else their count) and the current snapshot's data files
  boxes   NS TABLE BOXES  prints a digest of the current rows (sha-256 of them sorted), their count, the data files
                     and, for each box [x, y, size] of BOXES (JSON), how many files PyIceberg's scan plans for
                     x >= bx and x < bx + size and y >= by and y < by + size (pruned by the manifests' bounds)
  verify  NS TABLE   prints the current rows (as PyIceberg scans them), the data files, the snapshot's operation,
                     and each data file's sort_order_id and (x, y) in file order (read with pyarrow)
"""
import hashlib
import json
import os
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog import load_catalog
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType


def catalog():
    return load_catalog("lakegate", type="rest", uri=os.environ["CATALOG_URI"], warehouse=os.environ["CATALOG_WAREHOUSE"])


def rows(table):
    return sorted([[r["id"], r["x"], r["y"], r["name"]] for r in table.scan().to_arrow().to_pylist()])


def data_files(table):
    snapshot = table.current_snapshot()
    return sorted(e.data_file.file_path for m in snapshot.manifests(table.io) for e in m.fetch_manifest_entry(table.io, discard_deleted=True))


def write(cat, ns, name, per_append="512"):
    per_append = int(per_append)
    try:
        cat.create_namespace(ns)
    except Exception:  # noqa: BLE001 - it exists from an earlier phase
        pass
    schema = Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "x", LongType(), required=False),
        NestedField(3, "y", LongType(), required=False),
        NestedField(4, "name", StringType(), required=False),
    )
    table = cat.create_table(f"{ns}.{name}", schema=schema, properties={"format-version": "2"})
    rnd = random.Random(59)
    for f in range(16):
        ids = list(range(f * per_append, (f + 1) * per_append))
        xs = [rnd.randrange(-(2**19), 2**19) for _ in ids]
        ys = [rnd.randrange(0, 2**20) for _ in ids]
        names = [f"p{i}" for i in ids]
        table.append(pa.table({"id": pa.array(ids, pa.int64()), "x": pa.array(xs, pa.int64()), "y": pa.array(ys, pa.int64()), "name": pa.array(names, pa.string())}))
    table = cat.load_table(f"{ns}.{name}")
    if per_append != 512:
        return {"count": 16 * per_append, "files": data_files(table)}
    return {"rows": rows(table), "files": data_files(table)}


def boxes(cat, ns, name, spec):
    table = cat.load_table(f"{ns}.{name}")
    current = rows(table)
    planned = []
    for bx, by, size in json.loads(spec):
        where = And(And(GreaterThanOrEqual("x", bx), LessThan("x", bx + size)), And(GreaterThanOrEqual("y", by), LessThan("y", by + size)))
        planned.append(len(list(table.scan(row_filter=where).plan_files())))
    digest = hashlib.sha256(json.dumps(current).encode()).hexdigest()
    return {"digest": digest, "count": len(current), "files": data_files(table), "planned": planned}


def verify(cat, ns, name):
    table = cat.load_table(f"{ns}.{name}")
    orders = []
    snapshot = table.current_snapshot()
    for m in snapshot.manifests(table.io):
        for e in m.fetch_manifest_entry(table.io, discard_deleted=True):
            with table.io.new_input(e.data_file.file_path).open() as f:
                t = pq.read_table(f, columns=["x", "y"])
            orders.append([e.data_file.file_path, e.data_file.sort_order_id, list(zip(t.column("x").to_pylist(), t.column("y").to_pylist()))])
    return {"rows": rows(table), "files": data_files(table), "operation": snapshot.summary.operation.value, "file_orders": sorted(orders)}


def main():
    phase, ns, name = sys.argv[1], sys.argv[2], sys.argv[3]
    cat = catalog()
    out = {"write": write, "verify": verify, "boxes": boxes}[phase](cat, ns, name, *sys.argv[4:])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
