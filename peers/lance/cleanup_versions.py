"""pylance 14's own version cleanup (`cleanup_old_versions`) on a Lance dataset, with the storage options a catalog
answered and nothing else.

Usage: cleanup_versions.py LOCATION; the storage options are a JSON object in the environment variable
LANCE_STORAGE_OPTIONS (not on the command line: they hold a secret). Removes every version but the latest
(older_than=0, delete_unverified=True). Prints one JSON object on the last line of stdout: {"removed": {"versions",
"bytes"}} when the library reports success, or {"error"} (the first line of the library's error).
"""
import json
import os
import sys
from datetime import timedelta

import lance


def main():
    options = json.loads(os.environ["LANCE_STORAGE_OPTIONS"])
    try:
        dataset = lance.dataset(sys.argv[1], storage_options=options)
        stats = dataset.cleanup_old_versions(older_than=timedelta(seconds=0), delete_unverified=True)
        print(json.dumps({"removed": {"versions": stats.old_versions, "bytes": stats.bytes_removed}}))
    except Exception as e:  # noqa: BLE001 - the test asserts the refusal
        print(json.dumps({"error": str(e).splitlines()[0][:400]}))


if __name__ == "__main__":
    main()
