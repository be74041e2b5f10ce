"""DescribeTable with load_detailed_metadata and a failing AlterTableAddColumns through pylance 14's RestNamespace.

LanceDB Python 0.40 creates TABLE through Lakegate's namespace (3 rows, id and a non-nullable divisor), appends a row
(a second fragment), deletes one and tags the version before the delete; pylance's REST client
(`lance_namespace.connect("rest")`, lance-namespace 0.13's models) describes the table with load_detailed_metadata at
the latest version and at the tag, and adds a column whose expression divides by zero on a row.

Usage: describe_detailed_call.py URI TOKEN NS TABLE; prints one JSON object on the last line of stdout.
"""
import json
import sys

import lance_namespace
import lancedb
import pyarrow as pa
from lance_namespace import AlterTableAddColumnsRequest, DescribeTableRequest
from lance_namespace_urllib3_client.models import AddColumnsEntry


def described(ns_client, request):
    r = ns_client.describe_table(request)
    return {
        "version": r.version,
        "stats": None if r.stats is None else {"num_deleted_rows": r.stats.num_deleted_rows, "num_fragments": r.stats.num_fragments},
        "metadata": r.metadata,
        "fields": [f.name for f in r.var_schema.fields],
    }


def main(uri, token, ns, name):
    props = {"uri": uri, "header.Authorization": f"Bearer {token}"}
    db = lancedb.connect_namespace("rest", props)
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("d", pa.int64(), nullable=False)])
    table = db.create_table(name, pa.table({"id": [1, 2, 3], "d": [1, 0, 3]}, schema=schema), namespace_path=[ns])
    table.add(pa.table({"id": [4], "d": [4]}, schema=schema))
    before = table.version
    table.tags.create("before-delete", before)
    table.delete("id = 3")
    listed = {v["version"]: v["metadata"] for v in table.list_versions()}
    client = lance_namespace.connect("rest", props)
    latest = described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True))
    tagged = described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True, tag="before-delete"))
    refused = None
    try:
        client.alter_table_add_columns(AlterTableAddColumnsRequest(id=[ns, name], new_columns=[AddColumnsEntry(name="q", expression="id / d")]))
    except Exception as e:  # the REST client's error for the 400
        refused = {"type": type(e).__name__, "message": str(e)[:500]}
    after = lancedb.connect_namespace("rest", props).open_table(name, namespace_path=[ns])
    return {
        "latest": latest,
        "tagged": tagged,
        "tag_version": before,
        "lance_latest": listed.get(latest["version"]),
        "lance_tagged": listed.get(before),
        "refused": refused,
        "version_after": after.version,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5]), default=str))
