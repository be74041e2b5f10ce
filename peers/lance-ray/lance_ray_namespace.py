"""lance-ray (0.5.0, with Ray 2.60 and pylance 14) writing and reading a Lance table through Lakegate's namespace.

lance-ray's `write_lance`/`read_lance`/`add_columns` take `namespace_impl="rest"`, `namespace_properties` and
`table_id`: a create declares the table (DeclareTable), an append or a read describes it (DescribeTable), and Lance
holds only the storage options the namespace vends. lance-ray 0.5.0 commits with `lance.LanceDataset.commit(uri, op,
namespace_client=…, table_id=…)` and never passes pylance 14's `namespace_client_managed_versioning`, so it writes
`_versions/` itself even where DescribeTable answers `managed_versioning: true`: it is served by a warehouse whose
`lance.managed-versioning` property is "false" (docs/compatibility.md).

Ray runs lean, for a 2-core CI: a private local instance (its own temp dir), 1 CPU, the smallest object store Ray
allows, no dashboard, no usage stats, no progress bars.

Usage: lance_ray_namespace.py URI WRITER_TOKEN READER_TOKEN NS TABLE; prints one JSON object on the last line of stdout:
the writer creates TABLE (3 rows), reads it back, appends 2 rows, adds a column with lance-ray's distributed
add_columns and reads again; then the reader reads it, tries to append (its vended credentials are read-only: the
store refuses the data file) and to create a table beside it (the catalog refuses the DeclareTable).

Usage: lance_ray_namespace.py managed-append URI WRITER_TOKEN NS TABLE: the writer appends 2 rows to TABLE, a table of
catalog-managed versions another client wrote; lance-ray commits the next manifest into `_versions/` itself with the
vended credentials, which may not write published manifests there, so the store refuses it. Prints whether
write_lance raised, its error, and the ids read back.
"""
import json
import os
import shutil
import sys
import tempfile

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_memory_monitor_refresh_ms", "0")

import lance_namespace  # noqa: E402
import lance_ray  # noqa: E402
from lance_ray.fragment import write_fragment  # noqa: E402
import pyarrow as pa  # noqa: E402
import ray  # noqa: E402
from lance_namespace import DescribeTableRequest  # noqa: E402


def start_ray():
    temp_dir = tempfile.mkdtemp(prefix="lgray-", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    ray.init(
        num_cpus=1,
        object_store_memory=80 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
        _temp_dir=temp_dir,
    )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.verbose_progress = False
    return temp_dir


def rows(ids):
    return ray.data.from_arrow(pa.table({"id": pa.array(ids, pa.int64()), "name": [f"item-{i}" for i in ids]}))


def sorted_rows(ds):
    table = ds.to_arrow_refs()
    table = pa.concat_tables(ray.get(table)).sort_by("id")
    return table.to_pydict()


def attempt(write):
    """Runs a write that must be refused; answers (refused, the end of its error)."""
    try:
        write()
        return False, ""
    except Exception as e:  # the test asserts the refusal and its reason
        return True, str(e)[-1500:]


def main(uri, writer, reader, ns, name):
    temp_dir = start_ray()
    try:
        return scenario(uri, writer, reader, ns, name)
    finally:
        ray.shutdown()
        shutil.rmtree(temp_dir, ignore_errors=True)


def scenario(uri, writer, reader, ns, name):
    def at(token):
        props = {"uri": uri, "header.Authorization": f"Bearer {token}"}
        return {"namespace_impl": "rest", "namespace_properties": props, "table_id": [ns, name]}

    lance_ray.write_lance(rows([1, 2, 3]), mode="create", **at(writer))
    first = sorted_rows(lance_ray.read_lance(**at(writer)))
    lance_ray.write_lance(rows([4, 5]), mode="append", **at(writer))
    appended = sorted_rows(lance_ray.read_lance(**at(writer)))

    def doubled(batch: pa.RecordBatch) -> pa.RecordBatch:
        ids = batch.column("id").to_pylist()
        return pa.RecordBatch.from_pydict({"twice": pa.array([2 * i for i in ids], pa.int64())})

    lance_ray.add_columns(transform=doubled, read_columns=["id"], concurrency=1, **at(writer))
    widened = sorted_rows(lance_ray.read_lance(**at(writer)))

    client = lance_namespace.connect("rest", at(writer)["namespace_properties"])
    described = client.describe_table(DescribeTableRequest(id=[ns, name]))
    options = described.storage_options or {}

    reader_options = lance_namespace.connect("rest", at(reader)["namespace_properties"]).describe_table(
        DescribeTableRequest(id=[ns, name])
    ).storage_options or {}
    by_reader = sorted_rows(lance_ray.read_lance(columns=["id"], **at(reader)))
    more = pa.table({"id": pa.array([99], pa.int64()), "name": ["item-99"], "twice": pa.array([198], pa.int64())})
    # lance-ray 0.5.0 on Ray 2.60: write_lance returns without an error when its write tasks fail (the test checks that
    # nothing was written); the fragment writer each of its tasks runs, called here directly, reports the store's refusal.
    write_lance_raised, _ = attempt(lambda: lance_ray.write_lance(ray.data.from_arrow(more), mode="append", **at(reader)))
    append_refused, append_error = attempt(lambda: write_fragment([more], described.location, storage_options=reader_options, **at(reader)))
    beside = {**at(reader), "table_id": [ns, name + "_beside"]}
    create_refused, create_error = attempt(lambda: lance_ray.write_lance(rows([7]), mode="create", **beside))
    after = sorted_rows(lance_ray.read_lance(**at(writer)))
    return {
        "location": described.location,
        "managed_versioning": described.managed_versioning,
        "vended": sorted(k for k in options if k.startswith("aws_") and k != "aws_secret_access_key"),
        "first": first,
        "appended": appended,
        "widened": widened,
        "reader_ids": by_reader["id"],
        "reader_vended": sorted(k for k in reader_options if k.startswith("aws_") and k != "aws_secret_access_key"),
        "reader_write_lance_raised": write_lance_raised,
        "reader_append_refused": append_refused,
        "reader_append_error": append_error,
        "reader_create_refused": create_refused,
        "reader_create_error": create_error,
        "after_ids": after["id"],
    }


def managed_append(uri, writer, ns, name):
    temp_dir = start_ray()
    try:
        props = {"uri": uri, "header.Authorization": f"Bearer {writer}"}
        at = {"namespace_impl": "rest", "namespace_properties": props, "table_id": [ns, name]}
        raised, error = attempt(lambda: lance_ray.write_lance(rows([4, 5]), mode="append", **at))
        after = sorted_rows(lance_ray.read_lance(**at))
        return {"raised": raised, "error": error, "after_ids": after["id"]}
    finally:
        ray.shutdown()
        shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1] == "managed-append":
        print(json.dumps(managed_append(*sys.argv[2:6])))
    else:
        print(json.dumps(main(*sys.argv[1:6])))
