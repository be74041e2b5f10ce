"""LanceDB Python (lancedb 0.40, pylance 14) writing and reading Lance tables with lists and maps through Lakegate's
Lance REST Namespace, for the policy tests that mask list elements and map values (test/interop/lance-policies.test.ts).

Usage: policy_elements.py SCENARIO URI TOKEN NS TABLE; prints one JSON object on the last line of stdout. Scenarios:
  create NS TABLE        create TABLE: id (int64), tags (list<string>), people (list<struct<name, email>>),
                         attrs (map<string, string>), with null lists, empty lists and null elements
  create_large NS TABLE  create TABLE: id (int64), big (large_list<string>: 64-bit offsets)
  read NS TABLE          the table's rows through the namespace, by id (a map as a list of [key, value] pairs)
"""
import json
import sys

import lancedb
import pyarrow as pa


def connect(uri, token):
    return lancedb.connect_namespace("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})


PERSON = pa.struct([("name", pa.string()), ("email", pa.string())])


def create(uri, token, ns, name):
    table = pa.table(
        {
            "id": pa.array([1, 2, 3, 4], pa.int64()),
            "tags": pa.array([["Ann-tag", None], [], None, ["bob.tag@x.org"]], pa.list_(pa.string())),
            "people": pa.array(
                [[{"name": "ann", "email": "ann@example.org"}, None], None, [{"name": "cy", "email": None}], []],
                pa.list_(PERSON),
            ),
            "attrs": pa.array([[("team", "red-42")], None, [], [("team", "blue-7"), ("seat", None)]], pa.map_(pa.string(), pa.string())),
        }
    )
    connect(uri, token).create_table(name, table, namespace_path=[ns])
    return {}


def create_large(uri, token, ns, name):
    table = pa.table({"id": pa.array([1, 2], pa.int64()), "big": pa.array([["a", "b"], None], pa.large_list(pa.string()))})
    connect(uri, token).create_table(name, table, namespace_path=[ns])
    return {}


def plain(value):
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def read(uri, token, ns, name):
    rows = connect(uri, token).open_table(name, namespace_path=[ns]).to_arrow().to_pylist()
    return {"rows": sorted((plain(r) for r in rows), key=lambda r: r["id"])}


def main():
    scenario, uri, token, *args = sys.argv[1:]
    print(json.dumps({"create": create, "create_large": create_large, "read": read}[scenario](uri, token, *args)))


if __name__ == "__main__":
    main()
