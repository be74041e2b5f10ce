"""LanceDB Python (lancedb 0.40, pylance 14) against Lakegate's Lance REST Namespace with catalog-managed versions.

Usage: managed_versions.py SCENARIO URI TOKEN [ARGS...]; prints one JSON object (the facts the test asserts) on the
last line of stdout. Scenarios:
  lifecycle NS        create a table, append three times, reopen an older version, rename it
  append NS TABLE N   append N rows (one commit), through a fresh connection
  append_twice NS TABLE   open TABLE (not the handle that created it) and append twice in a row on that handle
  refused NS TABLE    try to append; prints the error
  create NS TABLE N   create a table with N rows
  count NS TABLE      the table's rows and version
  keep_going NS TABLE SECONDS   open TABLE once, then read and append one row every 3 s for SECONDS
  branch NS TABLE     create TABLE (v1), append on main (v2), branch "dev" from version 1, append twice on the branch
  history NS TABLE    create TABLE, append twice, restore version 1 (versions 1-4)
  operations NS       every table operation of LanceDB's API a namespace connection offers, each reported ok or failed
  restore NS          create a table, append three times (versions 1-4), restore version 2, append again
  restore_call NS TABLE V   create TABLE, append three times, RestoreTable V through lance_namespace's REST client,
                      then read and append with LanceDB
  field_metadata_call NS TABLE   create TABLE, UpdateFieldMetadata twice through lance-namespace's generated REST
                      client (keys set, then one deleted), then read the field's metadata and append with LanceDB
  materialized_view_call NS NAME   CreateMaterializedView through lance-namespace 0.13's generated REST client, the
                      view described and listed through lance_namespace's REST client; a taken name, a refresh and a
                      backfill refused as the spec's errors
  small_appends NS TABLE N   create TABLE with one row, then N-1 one-row appends (N fragments)
  compacted NS TABLE  through a fresh connection: the rows, fragments and version; then append a row and read again
  policy_read NS TABLE ORIGINAL   open TABLE through the namespace (a caller a row/column policy restricts): its rows,
                      a vector search's ids; then, with the storage_options DescribeTable answered it (lance_namespace's
                      REST client), the dataset it was answered read with pylance, and the table's own dataset at
                      ORIGINAL (an error expected)
"""
import json
import sys

import lancedb
import pyarrow as pa


def connect(uri, token):
    return lancedb.connect_namespace("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})


def rows(start, n):
    return pa.table({"id": pa.array(range(start, start + n), pa.int64()), "name": [f"item-{i}" for i in range(start, start + n)]})


def lifecycle(uri, token, ns):
    db = connect(uri, token)
    table = db.create_table("events", rows(0, 5), namespace_path=[ns])
    counts = [table.count_rows()]
    for i in range(3):
        table.add(rows(100 * (i + 1), 2))
        counts.append(table.count_rows())
    versions = [v["version"] for v in table.list_versions()]
    latest = table.version
    reopened = connect(uri, token).open_table("events", namespace_path=[ns])
    reopened_count = reopened.count_rows()
    reopened.checkout(versions[0])
    first_version_rows = reopened.count_rows()
    reopened.checkout(versions[1])
    second_version_rows = reopened.count_rows()
    db.rename_table("events", "events_renamed", cur_namespace_path=[ns], new_namespace_path=[ns])
    renamed = connect(uri, token).open_table("events_renamed", namespace_path=[ns])
    renamed.add(rows(900, 1))
    return {
        "counts": counts,
        "versions": versions,
        "latest": latest,
        "reopened_count": reopened_count,
        "first_version_rows": first_version_rows,
        "second_version_rows": second_version_rows,
        "renamed_count": renamed.count_rows(),
        "renamed_version": renamed.version,
        "tables": list(db.list_tables(namespace_path=[ns]).tables),
    }


def append(uri, token, ns, name, n):
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    table.add(rows(0, int(n)))
    return {"version": table.version}


def append_twice(uri, token, ns, name):
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    versions = []
    for start in (500, 600):
        table.add(rows(start, 2))
        versions.append(table.version)
    reopened = connect(uri, token).open_table(name, namespace_path=[ns])
    return {"versions": versions, "rows": table.count_rows(), "reopened": {"version": reopened.version, "rows": reopened.count_rows()}}


def refused(uri, token, ns, name):
    try:
        table = connect(uri, token).open_table(name, namespace_path=[ns])
        table.add(rows(0, 1))
        return {"refused": False}
    except Exception as e:  # the scenario reports the refusal; the test asserts on it
        return {"refused": True, "error": str(e)[:2000]}


def create(uri, token, ns, name, n):
    table = connect(uri, token).create_table(name, rows(0, int(n)), namespace_path=[ns])
    return {"version": table.version}


def count(uri, token, ns, name):
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    ids = table.to_arrow().column("id").to_pylist()
    return {"rows": len(ids), "version": table.version, "versions": [v["version"] for v in table.list_versions()]}


def ids(table):
    return sorted(table.to_arrow().column("id").to_pylist())


def restore(uri, token, ns):
    db = connect(uri, token)
    table = db.create_table("restored", rows(0, 5), namespace_path=[ns])
    for i in range(3):
        table.add(rows(100 * (i + 1), 2))
    table.checkout(2)
    second = ids(table)
    table.checkout_latest()
    table.restore(2)
    after_restore = {"version": table.version, "ids": ids(table)}
    table.add(rows(900, 1))
    reopened = connect(uri, token).open_table("restored", namespace_path=[ns])
    return {
        "second": second,
        "after_restore": after_restore,
        "after_append": {"version": reopened.version, "ids": ids(reopened)},
        "versions": [v["version"] for v in reopened.list_versions()],
    }


def restore_call(uri, token, ns, name, version):
    import lance_namespace
    from lance_namespace import RestoreTableRequest

    table = connect(uri, token).create_table(name, rows(0, 5), namespace_path=[ns])
    for _ in range(3):
        table.add(rows(0, 2))
    client = lance_namespace.connect("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})
    response = client.restore_table(RestoreTableRequest(id=[ns, name], version=int(version)))
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    before = table.version
    restored_ids = ids(table)
    table.add(rows(700, 1))
    return {"transaction_id": response.transaction_id, "version": before, "ids": restored_ids, "after_append": {"version": table.version, "ids": ids(table)}}


def field_metadata_call(uri, token, ns, name):
    # pylance 14's RestNamespace (lance_namespace.connect("rest")) does not implement update_field_metadata: the
    # operation's client is lance-namespace 0.13's generated REST client.
    from lance_namespace_urllib3_client import ApiClient, Configuration
    from lance_namespace_urllib3_client.api.table_api import TableApi
    from lance_namespace_urllib3_client.models import UpdateFieldMetadataEntry, UpdateFieldMetadataRequest

    created = connect(uri, token).create_table(name, rows(0, 3), namespace_path=[ns])
    api = TableApi(ApiClient(Configuration(host=uri), header_name="Authorization", header_value=f"Bearer {token}"))

    def update(**metadata):
        request = UpdateFieldMetadataRequest(updates=[UpdateFieldMetadataEntry(path="name", metadata=metadata)])
        return api.update_field_metadata(id=f"{ns}${name}", update_field_metadata_request=request)

    set_keys = update(**{"lancedb:description": "the name", "owner": "dev"})
    deleted = update(owner=None)
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    metadata = {k.decode(): v.decode() for k, v in (table.schema.field("name").metadata or {}).items()}
    before = table.version
    table.add(rows(100, 1))
    return {
        "created": created.version,
        "responses": [{"version": r.version, "fields": r.fields} for r in (set_keys, deleted)],
        "read": {"version": before, "metadata": metadata},
        "after_append": {"version": table.version, "ids": ids(table)},
    }


def create_table_call(uri, token, ns, name):
    # CreateTable with data, as lance-namespace 0.13's generated REST client sends it: the rows as an Arrow IPC stream,
    # the properties as one JSON-encoded query parameter (and an empty storage_options).
    from lance_namespace_urllib3_client import ApiClient, Configuration
    from lance_namespace_urllib3_client.api.table_api import TableApi

    sink = pa.BufferOutputStream()
    data = rows(0, 4)
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write_table(data)
    api = TableApi(ApiClient(Configuration(host=uri), header_name="Authorization", header_value=f"Bearer {token}"))
    response = api.create_table(
        id=f"{ns}${name}", body=sink.getvalue().to_pybytes(), properties=json.dumps({"owner": "ops"}), storage_options="{}"
    )
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    return {"version": response.version, "properties": response.properties, "rows": table.count_rows(), "ids": ids(table)}


def branch_call(uri, token, ns, name):
    # CreateTableBranch and DeleteTableBranch through lance-namespace 0.13's generated REST client (pylance 14's
    # RestNamespace implements neither); LanceDB Python reads and writes the branches the catalog created.
    from lance_namespace_urllib3_client import ApiClient, Configuration
    from lance_namespace_urllib3_client.api.branch_api import BranchApi
    from lance_namespace_urllib3_client.models import CreateTableBranchRequest, DeleteTableBranchRequest

    table = connect(uri, token).create_table(name, rows(0, 3), namespace_path=[ns])
    table.add(rows(10, 1))
    api = BranchApi(ApiClient(Configuration(host=uri), header_name="Authorization", header_value=f"Bearer {token}"))
    table_id = f"{ns}${name}"
    api.create_table_branch(id=table_id, create_table_branch_request=CreateTableBranchRequest(name="exp", from_version=1))
    api.create_table_branch(id=table_id, create_table_branch_request=CreateTableBranchRequest(name="team/latest"))
    main = connect(uri, token).open_table(name, namespace_path=[ns])
    exp = main.branches.checkout("exp")
    exp.add(rows(500, 1))
    latest = main.branches.checkout("team/latest")
    listed = sorted(main.branches.list().keys())
    api.delete_table_branch(id=table_id, delete_table_branch_request=DeleteTableBranchRequest(name="team/latest"))
    taken = None
    try:
        api.create_table_branch(id=table_id, create_table_branch_request=CreateTableBranchRequest(name="exp"))
    except Exception as e:  # noqa: BLE001 - the generated client raises ApiException subclasses
        taken = getattr(e, "status", None)
    return {
        "main": ids(connect(uri, token).open_table(name, namespace_path=[ns])),
        "exp": ids(connect(uri, token).open_table(name, namespace_path=[ns]).branches.checkout("exp")),
        "latest": ids(latest),
        "listed": listed,
        "after_delete": sorted(connect(uri, token).open_table(name, namespace_path=[ns]).branches.list().keys()),
        "taken": taken,
    }


def materialized_view_call(uri, token, ns, name):
    # CreateMaterializedView, RefreshMaterializedView and AlterTableBackfillColumns through lance-namespace 0.13's
    # generated REST client: the catalog stores the view's definition (a declared table, described and listed through
    # LanceDB's namespace client), and answers the operations that need an engine with the spec's Unsupported error.
    import base64

    from lance_namespace import connect as namespace_connect
    from lance_namespace_urllib3_client import ApiClient, Configuration
    from lance_namespace_urllib3_client.api.materialized_view_api import MaterializedViewApi
    from lance_namespace_urllib3_client.api.table_api import TableApi
    from lance_namespace_urllib3_client.models import (
        AlterTableBackfillColumnsRequest,
        CreateMaterializedViewRequest,
        DescribeTableRequest,
        ListTablesRequest,
        RefreshMaterializedViewRequest,
    )

    source = connect(uri, token).create_table(f"{name}_src", rows(0, 3), namespace_path=[ns])
    schema = pa.schema([pa.field("id", pa.int64())])
    output_schema = base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")
    client = ApiClient(Configuration(host=uri), header_name="Authorization", header_value=f"Bearer {token}")
    views = MaterializedViewApi(client)
    view_id = f"{ns}${name}"
    request = CreateMaterializedViewRequest(kind="query", source_query=f"SELECT id FROM {ns}.{name}_src WHERE id > 0", output_schema=output_schema)
    created = views.create_materialized_view(id=view_id, create_materialized_view_request=request)

    def refusal(call):
        try:
            call()
        except Exception as e:  # noqa: BLE001 - the generated client raises ApiException subclasses
            return {"status": getattr(e, "status", None), "code": json.loads(e.body or "{}").get("code")}
        return None

    # LanceDB's namespace client (pylance 14's RestNamespace) describes and lists the view as a table.
    namespace = namespace_connect("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})
    described = namespace.describe_table(DescribeTableRequest(id=[ns, name], check_declared=True))
    listed = namespace.list_tables(ListTablesRequest(id=[ns])).tables
    stored = schema.equals(pa.ipc.read_schema(pa.py_buffer(base64.b64decode(described.properties["materialized_view.output_schema"]))))
    return {
        "version": created.version,
        "job_id": created.job_id,
        "kind": described.properties["materialized_view.kind"],
        "source_query": described.properties["materialized_view.source_query"],
        "schema_round_trip": stored,
        "is_only_declared": described.is_only_declared,
        "listed": sorted(listed),
        "taken": refusal(lambda: views.create_materialized_view(id=view_id, create_materialized_view_request=request)),
        "refresh": refusal(lambda: views.refresh_materialized_view(id=view_id, refresh_materialized_view_request=RefreshMaterializedViewRequest())),
        "backfill": refusal(
            lambda: TableApi(client).alter_table_backfill_columns(
                id=f"{ns}${name}_src", alter_table_backfill_columns_request=AlterTableBackfillColumnsRequest(column="id")
            )
        ),
        "source_rows": source.count_rows(),
    }


def keep_going(uri, token, ns, name, seconds):
    import time

    table = connect(uri, token).open_table(name, namespace_path=[ns])
    start = time.time()
    counts = []
    i = 0
    while time.time() - start < float(seconds):
        table.add(rows(5000 + i, 1))
        counts.append(table.count_rows())
        i += 1
        time.sleep(3)
    return {"counts": counts, "version": table.version}


def branch(uri, token, ns, name):
    table = connect(uri, token).create_table(name, rows(0, 5), namespace_path=[ns])
    table.add(rows(10, 1))
    dev = table.branches.create("dev", from_version=1)
    dev.add(rows(100, 2))
    dev.add(rows(200, 2))
    main = connect(uri, token).open_table(name, namespace_path=[ns])
    reopened = main.branches.checkout("dev")
    return {
        "main": {"version": main.version, "ids": ids(main)},
        "dev": {"version": dev.version, "ids": ids(dev)},
        "dev_reopened": {"version": reopened.version, "ids": ids(reopened)},
        "branches": sorted(main.branches.list().keys()),
    }


def history(uri, token, ns, name):
    table = connect(uri, token).create_table(name, rows(0, 3), namespace_path=[ns])
    table.add(rows(10, 1))
    table.add(rows(20, 1))
    table.restore(1)
    return {"version": table.version}


def operations(uri, token, ns):
    import datetime

    db = connect(uri, token)
    results = {}

    def vectors(start, n):
        data = rows(start, n)
        return data.append_column("vec", pa.array([[float(i), float(i) + 1] for i in range(start, start + n)], pa.list_(pa.float32(), 2)))

    def step(name, fn):
        try:
            fn()
            results[name] = "ok"
        except Exception as e:  # the scenario reports each failure; the test asserts on them
            results[name] = f"{type(e).__name__}: {str(e)[:300]}"

    table = db.create_table("every_op", vectors(0, 300), namespace_path=[ns])
    step("list_tables", lambda: db.list_tables(namespace_path=[ns]))
    step("open_table", lambda: db.open_table("every_op", namespace_path=[ns]).count_rows())
    step("add", lambda: table.add(vectors(1000, 10)))
    step("delete", lambda: table.delete("id < 5"))
    step("update", lambda: table.update(where="id = 10", values={"name": "ten"}))
    step("merge_insert", lambda: table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(vectors(1005, 10)))
    step("create_scalar_index", lambda: table.create_scalar_index("id"))
    step("create_vector_index", lambda: table.create_index(vector_column_name="vec", num_partitions=1, num_sub_vectors=1))
    step("list_indices", lambda: table.list_indices())
    step("search", lambda: table.search([1.0, 2.0]).limit(3).to_list())
    step("optimize", lambda: table.optimize())
    step("add_columns", lambda: table.add_columns({"twice": "id * 2"}))
    step("alter_columns", lambda: table.alter_columns({"path": "twice", "rename": "double"}))
    step("drop_columns", lambda: table.drop_columns(["double"]))
    step("checkout", lambda: (table.checkout(2), table.count_rows(), table.checkout_latest()))
    step("tags_create", lambda: table.tags.create("before-cleanup", table.version))
    step("tags_list", lambda: table.tags.list())
    step("tags_checkout", lambda: (table.checkout("before-cleanup"), table.count_rows(), table.checkout_latest()))
    step("tags_delete", lambda: table.tags.delete("before-cleanup"))
    latest = table.version
    step("cleanup_old_versions", lambda: table.optimize(cleanup_older_than=datetime.timedelta(seconds=0), delete_unverified=True))
    return {"results": results, "latest": latest, "rows": table.count_rows(), "listed_versions": [v["version"] for v in table.list_versions()]}


def fragments(table):
    stats = table.stats()
    return stats["fragment_stats"]["num_fragments"] if isinstance(stats, dict) else stats.fragment_stats.num_fragments


def small_appends(uri, token, ns, name, n):
    table = connect(uri, token).create_table(name, rows(0, 1), namespace_path=[ns])
    for i in range(1, int(n)):
        table.add(rows(i, 1))
    return {"version": table.version, "fragments": fragments(table), "ids": ids(table)}


def compacted(uri, token, ns, name):
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    seen = {"version": table.version, "fragments": fragments(table), "ids": ids(table)}
    table.add(rows(10_000, 1))
    reopened = connect(uri, token).open_table(name, namespace_path=[ns])
    return {**seen, "after_append": {"version": reopened.version, "fragments": fragments(reopened), "ids": ids(reopened)}}


def policy_read(uri, token, ns, name, original):
    import lance
    import lance_namespace
    from lance_namespace import DescribeTableRequest

    table = connect(uri, token).open_table(name, namespace_path=[ns])
    read = table.to_arrow().to_pylist()
    people = sorted(({"id": r["id"], "region": r["region"], "email": r["email"], "vector": list(r["vector"])} for r in read), key=lambda r: r["id"])
    nearest = sorted(r["id"] for r in table.search([2, 0.5, -1]).limit(4).to_list())
    described = lance_namespace.connect("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"}).describe_table(DescribeTableRequest(id=[ns, name]))
    options = dict(described.storage_options or {})

    def attempt(location):
        try:
            dataset = lance.dataset(location, storage_options=options)
            return {"ids": sorted(dataset.to_table(columns=["id"]).column("id").to_pylist())}
        except Exception as e:  # noqa: BLE001 - the test asserts the refusal
            return {"error": str(e).splitlines()[0][:400]}

    return {"rows": people, "nearest": nearest, "location": described.location, "derived": attempt(described.location), "original": attempt(original)}


def main():
    scenario, uri, token, *args = sys.argv[1:]
    result = {"lifecycle": lifecycle, "append": append, "append_twice": append_twice, "refused": refused, "create": create, "count": count, "restore": restore, "restore_call": restore_call, "field_metadata_call": field_metadata_call, "create_table_call": create_table_call, "branch_call": branch_call, "materialized_view_call": materialized_view_call, "operations": operations, "history": history, "keep_going": keep_going, "branch": branch, "small_appends": small_appends, "compacted": compacted, "policy_read": policy_read}[scenario](uri, token, *args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
