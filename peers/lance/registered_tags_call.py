"""Tags and table metadata of a registered Lance dataset, set with pylance 14 and read through Lakegate's namespace.

pylance writes a dataset at LOCATION (versions 1 to 3: create, append, delete), sets its table metadata with
`update_metadata` and tags version 1 with its own `tags.create`, as a writer that owns the dataset does; the dataset is
registered with pylance's REST client (`lance_namespace.connect("rest").register_table`, its versions its own), which
then describes it with load_detailed_metadata (latest and by tag), lists the tags, asks a tag's version, and creates,
moves and deletes a tag through the namespace; pylance reads the dataset's own tags back after each.

Usage: registered_tags_call.py URI TOKEN NS TABLE LOCATION; prints one JSON object on the last line of stdout.
"""
import json
import sys

import lance
import lance_namespace
import pyarrow as pa
from lance_namespace import (
    CreateTableTagRequest,
    DeleteTableTagRequest,
    DescribeTableRequest,
    GetTableTagVersionRequest,
    ListTableTagsRequest,
    RegisterTableRequest,
    UpdateTableTagRequest,
)


def own_tags(location):
    return {name: t["version"] for name, t in lance.dataset(location).tags.list().items()}


def described(client, request):
    r = client.describe_table(request)
    return {
        "version": r.version,
        "metadata": r.metadata,
        "stats": None if r.stats is None else {"num_deleted_rows": r.stats.num_deleted_rows, "num_fragments": r.stats.num_fragments},
        "fields": None if r.var_schema is None else [f.name for f in r.var_schema.fields],
    }


def main(uri, token, ns, name, location):
    ds = lance.write_dataset(pa.table({"id": [1, 2, 3]}), location)
    ds = lance.write_dataset(pa.table({"id": [4]}), location, mode="append")
    ds.delete("id = 1")
    ds.update_metadata({"owner": "ana", "purpose": "registered"})
    ds = lance.dataset(location)
    ds.tags.create("first", 1)
    own_metadata = ds.metadata
    client = lance_namespace.connect("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})
    client.register_table(RegisterTableRequest(id=[ns, name], location=location))
    out = {"dataset_version": ds.version, "own_metadata": own_metadata}
    out["latest"] = described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True))
    out["tagged"] = described(client, DescribeTableRequest(id=[ns, name], load_detailed_metadata=True, tag="first"))
    out["tagged_plain"] = client.describe_table(DescribeTableRequest(id=[ns, name], tag="first")).version
    listed = client.list_table_tags(ListTableTagsRequest(id=[ns, name]))
    out["listed"] = {k: {"version": v.version, "manifest_size": v.manifest_size, "branch": v.branch} for k, v in listed.tags.items()}
    out["first_version"] = client.get_table_tag_version(GetTableTagVersionRequest(id=[ns, name], tag="first")).version
    client.create_table_tag(CreateTableTagRequest(id=[ns, name], tag="second", version=2))
    out["after_create"] = own_tags(location)
    client.update_table_tag(UpdateTableTagRequest(id=[ns, name], tag="second", version=3))
    out["after_update"] = own_tags(location)
    client.delete_table_tag(DeleteTableTagRequest(id=[ns, name], tag="second"))
    out["after_delete"] = own_tags(location)
    try:
        client.get_table_tag_version(GetTableTagVersionRequest(id=[ns, name], tag="second"))
        out["missing"] = None
    except Exception as e:  # the REST client's error for the 404
        out["missing"] = {"type": type(e).__name__, "message": str(e)[:300]}
    return out


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:6]), default=str))
