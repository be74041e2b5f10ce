"""LanceDB Python (lancedb 0.40, pylance 14) writing Lance tables of every Arrow type a Lance dataset holds through
Lakegate's Lance REST Namespace, and reading them back, for the policy tests on column types
(test/interop/lance-policies-types.test.ts).

Usage: policy_types.py SCENARIO URI TOKEN NS [ARGS]; prints one JSON object on the last line of stdout. Scenarios:
  create NS KIND...          one table `t_<kind>` per KIND (see TYPES): id (int64: 1, 2, 3) and c (of that type)
  add_column NS TABLE COLUMN KIND
                             adds COLUMN of KIND's type to TABLE, all null (one new version)
  read NS TABLE...           each table's rows through the namespace, by id, with each value as JSON (bytes as hex,
                             decimals and times as strings), and the Arrow type of every column; or the first line
                             of the error reading it
"""
import json
import sys

import lancedb
import pyarrow as pa

ROW = pa.struct([("x", pa.int32())])
TYPES = {
    "null": lambda: pa.nulls(3),
    "large_list": lambda: pa.array([["a"], None, []], pa.large_list(pa.string())),
    "large_list_struct": lambda: pa.array([[{"x": 1}], None, []], pa.large_list(ROW)),
    "large_string": lambda: pa.array(["a", None, "c"], pa.large_string()),
    "large_binary": lambda: pa.array([b"a", None, b"c"], pa.large_binary()),
    "dictionary": lambda: pa.array(["a", "b", "a"]).dictionary_encode(),
    "list_dictionary": lambda: pa.array([["a", "b"], None, ["a"]], pa.list_(pa.dictionary(pa.int32(), pa.string()))),
    "float16": lambda: pa.array([1.5, None, 2.0], pa.float16()),
    "list_float16": lambda: pa.array([[1.0], None, []], pa.list_(pa.float16())),
    "list_null": lambda: pa.array([[None], None, []], pa.list_(pa.null())),
    "vector": lambda: pa.array([[1.0, 2.0], [3.0, 4.0], None], pa.list_(pa.float32(), 2)),
    "vector_float16": lambda: pa.array([[1.0, 2.0], [3.0, 4.0], None], pa.list_(pa.float16(), 2)),
    "fixed_list_struct": lambda: pa.array([[{"x": 1}, {"x": 2}], [{"x": 3}, None], None], pa.list_(ROW, 2)),
    "fixed_list_struct_1": lambda: pa.array([[{"x": 1}], [{"x": 2}], None], pa.list_(ROW, 1)),
    "struct_fixed_list_struct": lambda: pa.array([{"v": [{"x": 1}, {"x": 2}]}, None, {"v": None}], pa.struct([("v", pa.list_(ROW, 2))])),
    # No null nor empty list: LanceDB Python 0.40 panics writing one (lance-encoding 13, repdef.rs).
    "list_fixed_list_struct": lambda: pa.array([[[{"x": 1}, {"x": 2}]], [[{"x": 3}, {"x": 4}]], [[{"x": 5}, {"x": 6}]]], pa.list_(pa.list_(ROW, 2))),
    "decimal128": lambda: pa.array([1, None, 3], pa.decimal128(10, 2)),
    "decimal256": lambda: pa.array([1, None, 3], pa.decimal256(40, 2)),
    "time32": lambda: pa.array([1, None, 3], pa.time32("s")),
    "date64": lambda: pa.array([86400000, None, 0], pa.date64()),
    "duration": lambda: pa.array([1, None, 3], pa.duration("ms")),
    "timestamp_tz": lambda: pa.array([1, None, 3], pa.timestamp("us", "UTC")),
    "fixed_binary": lambda: pa.array([b"ab", None, b"cd"], pa.binary(2)),
    "int32": lambda: pa.array([1, None, 3], pa.int32()),
    "uint64": lambda: pa.array([1, None, 3], pa.uint64()),
    "map": lambda: pa.array([[("a", 1)], None, []], pa.map_(pa.string(), pa.int32())),
    "struct_large_list": lambda: pa.array([{"l": ["a"]}, None, {"l": None}], pa.struct([("l", pa.large_list(pa.string()))])),
}


def connect(uri, token):
    return lancedb.connect_namespace("rest", {"uri": uri, "header.Authorization": f"Bearer {token}"})


def create(uri, token, ns, *kinds):
    db = connect(uri, token)
    for kind in kinds:
        table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "c": TYPES[kind]()})
        db.create_table(f"t_{kind}", table, namespace_path=[ns])
    return {}


def add_column(uri, token, ns, name, column, kind):
    table = connect(uri, token).open_table(name, namespace_path=[ns])
    table.add_columns(pa.field(column, TYPES[kind]().type))
    return {"version": table.version}


def plain(value):
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def read(uri, token, ns, *names):
    db = connect(uri, token)
    out = {}
    for name in names:
        try:
            table = db.open_table(name, namespace_path=[ns]).to_arrow()
            rows = sorted((plain(r) for r in table.to_pylist()), key=lambda r: r["id"])
            out[name] = {"rows": rows, "types": {f.name: str(f.type) for f in table.schema}}
        except Exception as e:  # noqa: BLE001 - the test asserts what a reader is told
            out[name] = {"error": str(e).splitlines()[0][:600]}
    return out


def main():
    scenario, uri, token, *args = sys.argv[1:]
    print(json.dumps({"create": create, "add_column": add_column, "read": read}[scenario](uri, token, *args)))


if __name__ == "__main__":
    main()
