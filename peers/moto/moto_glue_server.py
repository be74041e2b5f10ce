"""moto_server with AWS Glue's optimistic concurrency on UpdateTable, for the Glue federation tests.

moto 5.2.5 accepts UpdateTable's VersionId and ignores it, so two writers that read the same table version both
succeed and the first commit is lost. AWS Glue refuses the second with ConcurrentModificationException (UpdateTable,
"VersionId: the version ID at which to update the table contents"), which Iceberg's GlueCatalog and Lakegate rely on.
This wrapper adds that check (atomic under a lock; moto's server is threaded) and nothing else, then runs moto's own
server main with the same arguments. Without a VersionId, an update is unconditional, as in AWS.
"""
import sys
import threading

from moto.core.responses import EmptyResult
from moto.glue.exceptions import GlueClientError
from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse
from moto.server import main

_lock = threading.Lock()
_update_table = GlueBackend.update_table


def update_table(self, database_name, table_name, table_input, version_id=None):
    with _lock:
        table = self.get_table(database_name, table_name)
        if version_id is not None and str(version_id) != str(table._current_version):
            raise GlueClientError(
                "ConcurrentModificationException",
                f"Update table failed due to concurrent modifications (version {version_id} is not the current {table._current_version}).",
            )
        _update_table(self, database_name, table_name, table_input)


def update_table_response(self):
    database_name = self.parameters.get("DatabaseName")
    table_input = self.parameters.get("TableInput")
    self.glue_backend.update_table(database_name, table_input.get("Name"), table_input, self.parameters.get("VersionId"))
    return EmptyResult()


GlueBackend.update_table = update_table
GlueResponse.update_table = update_table_response

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
