"""Daft (0.7.26 with daft-lance 0.6.0 and pylance 14) reading and writing a Lance table through Lakegate's namespace.

Daft 0.7.26 itself removed its `rest://` Lance URIs ("did not match the real lance-namespace API"); its namespace
support lives in daft-lance (the `daft[lance]` extra): `daft_lance.write_lance`/`read_lance` with
`namespace_impl="rest"`, `namespace_properties` and `table_id`. Create declares the table, every write commits through
the namespace when DescribeTable answers `managed_versioning: true` (CreateTableVersion), and Lance holds only the
storage options the namespace vends. Then, with lance_namespace's REST client, the vended credentials as Daft's own
S3Config: they read the table, and a write beside the table's prefix is refused by the store.

Usage: daft_namespace.py URI TOKEN NS TABLE; prints one JSON object on the last line of stdout.
"""
import json
import sys

import daft
import daft_lance
import lance_namespace
from daft.io import IOConfig, S3Config
from lance_namespace import DescribeTableRequest


def io_config(options):
    """Daft's S3Config from the storage_options Lakegate vends (object_store names: aws_access_key_id, …)."""
    return IOConfig(
        s3=S3Config(
            key_id=options["aws_access_key_id"],
            access_key=options["aws_secret_access_key"],
            session_token=options.get("aws_session_token"),
            endpoint_url=options.get("aws_endpoint"),
            region_name=options.get("aws_region"),
            use_ssl=not options.get("aws_endpoint", "https://").startswith("http://"),
            force_virtual_addressing=options.get("aws_virtual_hosted_style_request") == "true",
        )
    )


def main(uri, token, ns, table):
    props = {"uri": uri, "header.Authorization": f"Bearer {token}"}
    at = {"namespace_impl": "rest", "namespace_properties": props, "table_id": [ns, table]}
    stats = []
    stats.append(daft_lance.write_lance(daft.from_pydict({"id": [1, 2, 3], "name": ["a", "b", "c"]}), mode="create", **at).to_pydict())
    first = daft_lance.read_lance(**at).sort("id").to_pydict()
    # Two appends in a row in one process, each a commit through the namespace.
    stats.append(daft_lance.write_lance(daft.from_pydict({"id": [4], "name": ["d"]}), mode="append", **at).to_pydict())
    stats.append(daft_lance.write_lance(daft.from_pydict({"id": [5], "name": ["e"]}), mode="append", **at).to_pydict())
    again = daft_lance.read_lance(**at).sort("id").to_pydict()

    # The vended credentials, as Daft's own S3Config: they read the table, and reach nothing beside it.
    client = lance_namespace.connect("rest", props)
    described = client.describe_table(DescribeTableRequest(id=[ns, table], vend_credentials=True, check_declared=True))
    options = described.storage_options or {}
    io = io_config(options)
    by_location = daft.read_lance(described.location, io_config=io).count_rows()
    outside = described.location.rsplit("/", 1)[0] + "/not-this-table"
    try:
        daft.from_pydict({"id": [9]}).write_lance(outside, mode="create", io_config=io)
        refused, error = False, ""
    except Exception as e:  # the test asserts the refusal
        refused, error = True, str(e)[:500]
    return {
        "location": described.location,
        "managed_versioning": described.managed_versioning,
        "vended": sorted(k for k in options if k.startswith("aws_") and k != "aws_secret_access_key"),
        "expires": "expires_at_millis" in options,
        "versions": [s["version"][0] for s in stats],
        "first_ids": first["id"],
        "ids": again["id"],
        "names": again["name"],
        "by_location": by_location,
        "is_only_declared": described.is_only_declared,
        "outside_refused": refused,
        "outside_error": error,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
