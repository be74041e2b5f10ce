"""PyIceberg 0.12 side of test/interop/locations-pyiceberg.test.ts (issue 52: where a table's files lie).

Phases (argv[1]), each printing one JSON line on stdout; the namespace and table names come as JSON in $LOC_NAMES
{"namespace": [...], "table": "..."}:
  write    creates the namespace and a table partitioned by identity on `region`, appends rows whose region values
           hold spaces, non-ASCII letters, ":", "?", "#", "%" and "/" (PyIceberg percent-encodes them into literal
           directory names), one append per batch; prints the location, the metadata location and every snapshot id
  verify   loads the table, reads it whole and at each snapshot in $LOC_KEEP (JSON list), and prints its rows, the
           metadata location and every file the current metadata reaches (manifest lists, manifests, data files)
  purge    purge_table, then prints whether the catalog still knows the table
Environment: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL.
"""
import json
import os
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType

REGIONS = ["é", "a:b", "q?r#s", "100%", "x/y", "a b", "plain"]


def catalog():
    props = {"type": "rest", "uri": os.environ["CATALOG_URI"], "warehouse": os.environ["CATALOG_WAREHOUSE"], "credential": os.environ["CATALOG_CREDENTIAL"]}
    return load_catalog("lakegate", **props)


def names():
    n = json.loads(os.environ["LOC_NAMES"])
    ns = tuple(n["namespace"])
    return ns, (*ns, n["table"])


def rows(table, snapshot_id=None):
    scan = table.scan(snapshot_id=snapshot_id) if snapshot_id is not None else table.scan()
    return sorted([[r["id"], r["region"]] for r in scan.to_arrow().to_pylist()])


def write(cat):
    ns, ident = names()
    for i in range(1, len(ns) + 1):
        cat.create_namespace_if_not_exists(ns[:i])
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "region", StringType(), required=False))
    spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"))
    table = cat.create_table(ident, schema=schema, partition_spec=spec, properties={"format-version": "2"})
    for i, region in enumerate(REGIONS):
        table.append(pa.table({"id": pa.array([i * 10, i * 10 + 1], pa.int64()), "region": pa.array([region, region], pa.string())}))
    table = cat.load_table(ident)
    history = [str(s.snapshot_id) for s in sorted(table.snapshots(), key=lambda s: s.sequence_number)]
    return {"location": table.metadata.location, "metadata_location": table.metadata_location, "snapshots": history, "rows": rows(table)}


def verify(cat):
    _, ident = names()
    table = cat.load_table(ident)
    io = table.io
    reachable = set()
    per_snapshot = {}
    for snap in table.snapshots():
        reachable.add(snap.manifest_list)
        for manifest in snap.manifests(io):
            reachable.add(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
                reachable.add(entry.data_file.file_path)
        per_snapshot[str(snap.snapshot_id)] = rows(table, snap.snapshot_id)
    return {"metadata_location": table.metadata_location, "rows": rows(table), "reachable": sorted(reachable), "per_snapshot": per_snapshot}


def purge(cat):
    ns, ident = names()
    cat.purge_table(ident)
    return {"exists": cat.table_exists(ident)}


if __name__ == "__main__":
    phase = sys.argv[1]
    print(json.dumps({"write": write, "verify": verify, "purge": purge}[phase](catalog())))
