"""PyIceberg 0.12 side of test/interop/compaction-pyiceberg.test.ts (issue 59: compaction run by the catalog).

Phases (argv[1]), each printing one JSON line on stdout:
  write   NS TABLE   creates a table of format version $FORMAT_VERSION (default 2) partitioned by region (with
                     $UNPARTITIONED set, not partitioned; with $SORTED set, and a sort order: id descending, nulls
                     last), makes 20 small appends and a delete (copy-on-write); prints the rows, the current
                     snapshot's data files and its id
  append  NS TABLE   appends one row (id $ROW_ID, region $REGION, default "eu"), the concurrent writer's commit
  delete  NS TABLE   deletes the row with id $ROW_ID (copy-on-write: an overwrite of its file), a conflicting commit
  verify  NS TABLE   prints the current rows, data files, snapshot operation and summary, the rows of snapshot
                     $BEFORE_SNAPSHOT (time travel to before the compaction), the rows of a scan filtered on id >= 150
                     (pruned by the files' bounds), each data file's id bounds, and the rows of a scan filtered on region (manifests
                     pruned by their partition summaries), and the number of manifests (as the snapshot's
                     manifest list names them, and as table.inspect.manifests() shows them), and each data file's
                     sort_order_id and ids in file order, and the format version the table's metadata declares
"""
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog import load_catalog
from pyiceberg.expressions import EqualTo, GreaterThanOrEqual
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC, PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.sorting import NullOrder, SortDirection, SortField, SortOrder, UNSORTED_SORT_ORDER
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType


def catalog():
    props = {"type": "rest", "uri": os.environ["CATALOG_URI"], "warehouse": os.environ["CATALOG_WAREHOUSE"]}
    return load_catalog("lakegate", **props)


def rows(table, snapshot_id=None):
    scan = table.scan(snapshot_id=snapshot_id) if snapshot_id is not None else table.scan()
    return sorted([[r["id"], r["region"], r["v"]] for r in scan.to_arrow().to_pylist()])


def data_files(table):
    snapshot = table.current_snapshot()
    return sorted(e.data_file.file_path for m in snapshot.manifests(table.io) for e in m.fetch_manifest_entry(table.io, discard_deleted=True) if m.content == 0)


def id_bounds(table):
    snapshot = table.current_snapshot()
    out = []
    for m in snapshot.manifests(table.io):
        for e in m.fetch_manifest_entry(table.io, discard_deleted=True):
            lower, upper = (e.data_file.lower_bounds or {}).get(1), (e.data_file.upper_bounds or {}).get(1)
            if lower is not None and upper is not None:
                out.append([e.data_file.file_path, e.data_file.partition[0] if len(e.data_file.partition) else None, int.from_bytes(lower, "little", signed=True), int.from_bytes(upper, "little", signed=True)])
    return sorted(out)


def file_orders(table):
    snapshot = table.current_snapshot()
    out = []
    for m in snapshot.manifests(table.io):
        for e in m.fetch_manifest_entry(table.io, discard_deleted=True):
            with table.io.new_input(e.data_file.file_path).open() as f:
                ids = pq.read_table(f, columns=["id"]).column("id").to_pylist()
            out.append([e.data_file.file_path, e.data_file.sort_order_id, ids])
    return sorted(out)


def batch(ids, region, tag):
    return pa.table({"id": pa.array(ids, pa.int64()), "region": pa.array([region] * len(ids), pa.string()), "v": pa.array([f"{tag}-{i}" for i in ids], pa.string())})


def write(cat, ns, name):
    cat.create_namespace_if_not_exists((ns,))
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "region", StringType(), required=False), NestedField(3, "v", StringType(), required=False))
    spec = UNPARTITIONED_PARTITION_SPEC if os.environ.get("UNPARTITIONED") else PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"))
    order = SortOrder(SortField(source_id=1, transform=IdentityTransform(), direction=SortDirection.DESC, null_order=NullOrder.NULLS_LAST)) if os.environ.get("SORTED") else UNSORTED_SORT_ORDER
    table = cat.create_table((ns, name), schema=schema, partition_spec=spec, sort_order=order, properties={"format-version": os.environ.get("FORMAT_VERSION", "2")})
    for i in range(20):
        table.append(batch([i * 10 + j for j in range(5)], "eu" if i % 2 == 0 else "us", f"a{i}"))
    table.delete(EqualTo("id", 12))
    table = cat.load_table((ns, name))
    return {"rows": rows(table), "files": data_files(table), "snapshot": str(table.current_snapshot().snapshot_id), "location": table.location()}


def append(cat, ns, name):
    table = cat.load_table((ns, name))
    row_id = int(os.environ["ROW_ID"])
    table.append(batch([row_id], os.environ.get("REGION", "eu"), "concurrent"))
    return {"snapshot": str(cat.load_table((ns, name)).current_snapshot().snapshot_id)}


def delete(cat, ns, name):
    table = cat.load_table((ns, name))
    table.delete(EqualTo("id", int(os.environ["ROW_ID"])))
    return {"snapshot": str(cat.load_table((ns, name)).current_snapshot().snapshot_id)}


def verify(cat, ns, name):
    table = cat.load_table((ns, name))
    snapshot = table.current_snapshot()
    before = os.environ.get("BEFORE_SNAPSHOT")
    return {
        "rows": rows(table),
        "files": data_files(table),
        "snapshot": str(snapshot.snapshot_id),
        "operation": snapshot.summary.operation.value,
        "manifests": len(snapshot.manifests(table.io)),
        "inspect_manifests": table.inspect.manifests().num_rows,
        "summary": {k: v for k, v in snapshot.summary.additional_properties.items()},
        "before_rows": rows(table, int(before)) if before else None,
        "filtered": sorted([[r["id"], r["region"], r["v"]] for r in table.scan(row_filter=GreaterThanOrEqual("id", 150)).to_arrow().to_pylist()]),
        "files_with_id_bounds": id_bounds(table),
        "file_orders": file_orders(table),
        "format_version": table.metadata.format_version,
        "eu_rows": sorted([[r["id"], r["region"], r["v"]] for r in table.scan(row_filter=EqualTo("region", "eu")).to_arrow().to_pylist()]),
    }


def main():
    phase, ns, name = sys.argv[1], sys.argv[2], sys.argv[3]
    out = {"write": write, "append": append, "delete": delete, "verify": verify}[phase](catalog(), ns, name)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
