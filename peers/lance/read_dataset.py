"""pylance 14 opens Lance datasets by their location with the storage options a catalog answered, and nothing else.

Usage: read_dataset.py LOCATION...; the storage options are a JSON object in the environment variable
LANCE_STORAGE_OPTIONS (not on the command line: they hold a secret). Prints one JSON object on the last line of
stdout: for each location, in order, either {"rows", "ids", "version"} (the dataset read with those options only) or
{"error"} (the first line of the library's error, which names the status the store answered).
"""
import json
import os
import sys

import lance


def read(location, options):
    try:
        dataset = lance.dataset(location, storage_options=options)
        table = dataset.to_table(columns=["id"])
        return {"rows": table.num_rows, "ids": sorted(table.column("id").to_pylist()), "version": dataset.version}
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal's wording
        return {"error": str(e).splitlines()[0][:400]}


def main():
    options = json.loads(os.environ["LANCE_STORAGE_OPTIONS"])
    print(json.dumps({"datasets": [read(location, options) for location in sys.argv[1:]]}))


if __name__ == "__main__":
    main()
