"""One DuckDB session on a Lakegate catalog, for test/interop/duckdb.test.ts.

Loads the iceberg, avro and httpfs extensions from their PyPI wheels (nothing is downloaded), creates an
iceberg secret from the environment and attaches the warehouse as `lake`, then runs the steps given as JSON
in DUCKDB_STEPS, in order, in that one session: [{"sql": "..."} | {"pause": "name"}, ...]. Prints one JSON line
per step: {"step": i, "ok": true, "rows": [...]} or {"step": i, "ok": false, "error": "..."}, and stops at the
first failure unless the step says "may_fail": true. A pause step prints {"step": i, "paused": "name"} and waits
for a line on stdin, so the test can act on the world (e.g. revoke storage credentials) mid-session.

Environment: LAKEGATE_URI, LAKEGATE_WAREHOUSE, LAKEGATE_CLIENT_ID, LAKEGATE_CLIENT_SECRET (the secret never
appears in argv or in the output).
"""
import datetime
import decimal
import importlib
import json
import os
import sys

import duckdb


def extension_path(name: str) -> str:
    package = importlib.import_module(f"duckdb_extension_{name}")
    base = os.path.join(os.path.dirname(package.__file__), "extensions", f"v{duckdb.__version__}")
    path = os.path.join(base, f"{name}.duckdb_extension")
    if not os.path.isfile(path):
        raise SystemExit(f"no {name} extension for duckdb {duckdb.__version__} at {path}")
    return path


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def emit(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> int:
    steps = json.loads(os.environ["DUCKDB_STEPS"])
    uri = os.environ["LAKEGATE_URI"]
    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    for name in ("avro", "httpfs", "iceberg"):
        con.execute(f"LOAD {quote(extension_path(name))}")
    con.execute(
        "CREATE SECRET lakegate (TYPE iceberg, CLIENT_ID {}, CLIENT_SECRET {}, OAUTH2_SERVER_URI {})".format(
            quote(os.environ["LAKEGATE_CLIENT_ID"]), quote(os.environ["LAKEGATE_CLIENT_SECRET"]), quote(f"{uri}/v1/oauth/tokens")
        )
    )
    con.execute(f"ATTACH {quote(os.environ['LAKEGATE_WAREHOUSE'])} AS lake (TYPE iceberg, ENDPOINT {quote(uri)}, SECRET lakegate)")
    emit({"step": "attach", "ok": True, "duckdb": duckdb.__version__})
    for i, step in enumerate(steps):
        if "pause" in step:
            emit({"step": i, "paused": step["pause"]})
            if not sys.stdin.readline():
                return 4
            continue
        try:
            rows = con.execute(step["sql"]).fetchall()
            emit({"step": i, "ok": True, "rows": [[plain(v) for v in row] for row in rows]})
        except Exception as e:  # noqa: BLE001 - every failure is reported to the test as data
            emit({"step": i, "ok": False, "error": f"{type(e).__name__}: {e}"})
            if not step.get("may_fail"):
                return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
