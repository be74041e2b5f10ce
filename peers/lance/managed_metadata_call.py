"""Table metadata set with pylance 14 on a table of catalog-managed versions, read back through Lakegate's namespace.

LanceDB Python 0.40 creates TABLE through the namespace (version 1, committed by CreateTableVersion); pylance opens it
through the namespace (`lance.dataset(namespace_client=…, table_id=…)`, lance-namespace 0.13's REST client) and sets its table
metadata with `update_metadata`, a new version of the table; pylance's REST client then describes the table with
load_detailed_metadata, at the latest version and at version 1, and lists its versions (the catalog's record).

Usage: managed_metadata_call.py URI TOKEN NS TABLE; prints one JSON object on the last line of stdout.
"""
import json
import sys

import lance
import lance_namespace
import lancedb
import pyarrow as pa
from lance_namespace import DescribeTableRequest, ListTableVersionsRequest


def described(client, request):
    r = client.describe_table(request)
    return {"version": r.version, "metadata": r.metadata, "managed_versioning": getattr(r, "managed_versioning", None)}


def main(uri, token, ns, name):
    props = {"uri": uri, "header.Authorization": f"Bearer {token}"}
    db = lancedb.connect_namespace("rest", props)
    db.create_table(name, pa.table({"id": pa.array([1, 2, 3], pa.int64())}), namespace_path=[ns])
    client = lance_namespace.connect("rest", props)
    ds = lance.dataset(namespace_client=client, table_id=[ns, name])
    ds.update_metadata({"owner": "ana", "purpose": "managed"})
    own = lance.dataset(namespace_client=client, table_id=[ns, name])
    versions = client.list_table_versions(ListTableVersionsRequest(id=[ns, name]))
    return {
        "own_metadata": own.metadata,
        "own_version": own.version,
        "catalog_versions": sorted(v.version for v in versions.versions),
        "latest": described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True)),
        "first": described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True, version=1)),
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5]), default=str))
