"""DuckDB 1.5.5 with its `lance` extension (PyPI duckdb-extension-lance 1.5.5) against Lakegate's Lance REST Namespace.

`ATTACH '<namespace>' AS lake (TYPE LANCE, ENDPOINT '<uri>', BEARER_TOKEN '<token>')` attaches one namespace of the
warehouse as `lake.main`. The extension lists its tables (ListTables), resolves a table by DescribeTable and reads the
latest version (ListTableVersions on a catalog-managed table) with the vended storage options. The extension is loaded
from the wheel's file: `INSTALL lance` would download it.

Usage: lance_duckdb_namespace.py SCENARIO URI TOKEN NS TABLE; prints one JSON object on the last line of stdout.
  read    the attached tables and TABLE's rows, ordered by id
  insert  insert one row into TABLE (reports the error if refused)
  create  CREATE TABLE (id BIGINT, name VARCHAR) then insert a row (reports the error if refused)
"""
import json
import os
import sys

import duckdb
import duckdb_extension_lance

EXTENSION = os.path.join(
    os.path.dirname(duckdb_extension_lance.__file__), "extensions", f"v{duckdb.__version__}", "lance.duckdb_extension"
)


def connect(uri, token, ns):
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{EXTENSION}'")
    con.execute(f"ATTACH '{ns}' AS lake (TYPE LANCE, ENDPOINT '{uri}', BEARER_TOKEN '{token}')")
    return con


def attempt(run):
    try:
        run()
        return {"refused": False}
    except Exception as e:  # the test asserts the refusal and its reason
        return {"refused": True, "error": str(e)[:1500]}


def main(scenario, uri, token, ns, table):
    con = connect(uri, token, ns)
    if scenario == "read":
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall()]
        rows = con.execute(f"SELECT id, name FROM lake.main.{table} ORDER BY id").fetchall()
        return {"tables": sorted(tables), "rows": [[int(i), n] for i, n in rows]}
    if scenario == "insert":
        return attempt(lambda: con.execute(f"INSERT INTO lake.main.{table} VALUES (99, 'z')"))
    if scenario == "create":
        def create():
            con.execute(f"CREATE TABLE lake.main.{table} (id BIGINT, name VARCHAR)")
            con.execute(f"INSERT INTO lake.main.{table} VALUES (1, 'a')")
        return attempt(create)
    raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:6])))
