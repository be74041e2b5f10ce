"""PyIceberg 0.12: reads a table whole, with vended credentials, for tests that check what another engine wrote.

Usage: pyiceberg_read_rows.py NAMESPACE.TABLE COLUMN... ; prints one JSON line: the rows (the columns asked, in that
order, sorted), the format version and the current snapshot's data and delete file counts as PyIceberg plans them.
Environment: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL.
"""

import json
import sys

from lakegate_pyiceberg import env_catalog

catalog = env_catalog(**{"header.X-Iceberg-Access-Delegation": "vended-credentials"})
namespace, name = sys.argv[1].rsplit(".", 1)
columns = sys.argv[2:]
table = catalog.load_table((namespace, name))
arrow = table.scan(selected_fields=tuple(columns)).to_arrow()
rows = sorted([list(r) for r in zip(*(arrow.column(c).to_pylist() for c in columns))])
tasks = list(table.scan().plan_files())
print(
    json.dumps(
        {
            "rows": rows,
            "format_version": table.metadata.format_version,
            "data_files": len(tasks),
            "delete_files": len({d.file_path for t in tasks for d in t.delete_files}),
        }
    )
)
