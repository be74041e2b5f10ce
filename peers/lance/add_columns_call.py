"""AlterTableAddColumns through pylance 14's RestNamespace (`lance_namespace.connect("rest")`), then LanceDB Python 0.40.

LanceDB creates TABLE (3 rows) through Lakegate's namespace; pylance's REST client declares a computed column
(`new_columns=[{name: "doubled", computed: "id * 2"}]`), which the catalog commits as the next managed version; LanceDB,
reopening the table through the namespace, reads the column all-null, fills it with its own `refresh_column` and
reads the values.

Usage: add_columns_call.py URI TOKEN NS TABLE; prints one JSON object on the last line of stdout.
"""
import json
import sys

import lance_namespace
import lancedb
import pyarrow as pa
from lance_namespace import AlterTableAddColumnsRequest
from lance_namespace_urllib3_client.models import AddColumnsEntry


def main(uri, token, ns, name):
    props = {"uri": uri, "header.Authorization": f"Bearer {token}"}
    db = lancedb.connect_namespace("rest", props)
    created = db.create_table(name, pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]}), namespace_path=[ns])
    request = AlterTableAddColumnsRequest(id=[ns, name], new_columns=[AddColumnsEntry(name="doubled", computed="id * 2")])
    response = lance_namespace.connect("rest", props).alter_table_add_columns(request)
    table = lancedb.connect_namespace("rest", props).open_table(name, namespace_path=[ns])
    declared = table.to_arrow().sort_by("id").column("doubled").to_pylist()
    field = table.schema.field("doubled")
    refreshed = table.refresh_column("doubled")
    values = table.to_arrow().sort_by("id").column("doubled").to_pylist()
    return {
        "created": created.version,
        "version": response.version,
        "type": str(field.type),
        "declared": declared,
        "rows_filled": getattr(refreshed, "rows_filled", None),
        "values": values,
        "latest": table.version,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
