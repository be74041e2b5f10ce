"""Spark 4.1 + Iceberg 1.12 side of test/interop/spark-1-12.test.ts (issue 58: the newest Iceberg Java client).

Run through `LAKEGATE_ICEBERG_VERSION=1.12.0 scripts/peers/spark.sh run peers/spark/iceberg_1_12.py`. One Spark
session (one JVM) for every 1.12 check: the driver reads one JSON command per line on stdin and answers each with one
line `@@reply {json}` on stdout (Spark's own logging goes to stderr), so the test reads the catalog's request log
between Spark's steps. Configured by env: CATALOG_URI, CATALOG_WAREHOUSE, CATALOG_CREDENTIAL, LAKEGATE_SPARK_JARS.
The session holds no storage key; it has three REST catalogs on the same warehouse, all through S3FileIO:

  lake     X-Iceberg-Access-Delegation: vended-credentials
  signed   X-Iceberg-Access-Delegation: remote-signing (1.12's RemoteSigningConfig / rest.remote-signing.endpoint)
  planned  vended-credentials and scan-planning-mode=server (Iceberg plans through POST .../plan)

and, when CATALOG_SIGNED_DEFAULT_WAREHOUSE names a warehouse whose profile has `remote-signing-endpoint: default`
(its table config names no sign endpoint at all), `signed_default`: remote-signing on that warehouse, where Iceberg
1.12 signs through the endpoint it derives itself (rest.remote-signing.endpoint).

Commands ({"cmd": ...}):
  version                      the Iceberg runtime's version (IcebergBuild), and Spark's
  sql      {query}             runs it; answers the rows (each a list of its values as strings)
  paused_insert {table, first, last, pause_seconds}
                               INSERT INTO table SELECT id, 'paused' FROM range(first, last) in one task that sleeps
                               `pause_seconds` on its first row, before it writes anything: the table's FileIO, made
                               at the statement's load, must refresh its vended credential to write
  load_via_view {table, views} Iceberg 1.12's own RESTCatalog (not Spark's: Spark 4.1's integration never passes a
                               LoadContext) loads `table` with LoadContext.referencedBy(views), outermost first, and
                               reads its rows through that table's FileIO; answers the snapshot id and the row count
  table_labels {table}         Iceberg 1.12's RESTCatalog loads `table` and answers what its LoadTableResponse parser
                               made of the catalog-supplied labels (SupportsLabels.labels(): object labels, and
                               labels by field id; 1.12 gives empty ones when the answer had none), or null
"""

import os
import sys
import time

import lakegate_spark



def session():
    lakegate_spark.refuse_aws_env()
    work = lakegate_spark.work_dir("lakegate-spark-1-12-")
    builder = lakegate_spark.builder("lakegate-iceberg-1-12", work, conf={"spark.sql.pyspark.jvmStacktrace.enabled": "true"})
    for name, delegation, conf in (
        ("lake", "vended-credentials", None),
        ("signed", "remote-signing", None),
        ("planned", "vended-credentials", {"scan-planning-mode": "server"}),
    ):
        builder = lakegate_spark.rest_catalog_from_env(builder, name, delegation=delegation, conf=conf)
    if os.environ.get("CATALOG_SIGNED_DEFAULT_WAREHOUSE"):
        builder = lakegate_spark.rest_catalog(
            builder,
            "signed_default",
            uri=os.environ["CATALOG_URI"],
            warehouse=os.environ["CATALOG_SIGNED_DEFAULT_WAREHOUSE"],
            credential=os.environ["CATALOG_CREDENTIAL"],
            delegation="remote-signing",
        )
    return lakegate_spark.start(builder)


class Driver:
    def __init__(self, spark):
        self.spark = spark
        self.jvm = spark.sparkContext._jvm
        from pyspark.sql.types import LongType

        def pause_on_row(row_id, target, seconds):
            if row_id == target:
                time.sleep(float(seconds))
            return row_id

        spark.udf.register("lakegate_pause", pause_on_row, LongType())

    def run(self, command):
        """A command names the method that answers it."""
        return getattr(self, command["cmd"])(command)

    def version(self, _):
        return {"iceberg": self.jvm.org.apache.iceberg.IcebergBuild.version(), "spark": self.spark.version}

    def sql(self, cmd):
        rows = self.spark.sql(cmd["query"]).collect()
        return {"rows": [[None if v is None else str(v) for v in r] for r in rows]}

    def paused_insert(self, cmd):
        first, last, seconds = int(cmd["first"]), int(cmd["last"]), int(cmd["pause_seconds"])
        t0 = time.time()
        self.spark.sql(
            f"INSERT INTO {cmd['table']} SELECT lakegate_pause(id, {first}, {seconds}) AS id, 'paused' AS v "
            f"FROM range({first}, {last}, 1, 1)"
        ).collect()
        return {"seconds": round(time.time() - t0, 1)}

    def table_labels(self, cmd):
        catalog = self.direct_catalog()
        try:
            table = catalog.loadTable(self.jvm.org.apache.iceberg.catalog.TableIdentifier.parse(cmd["table"]))
            labels = table.labels()
            if labels is None:
                return {"labels": None}
            objects = labels.objectLabels()
            fields = labels.fields()
            out_fields = []
            for i in range(fields.size()):
                f = fields.get(i)
                out_fields.append({"field-id": f.fieldId(), "labels": {str(k): str(f.labels().get(k)) for k in f.labels().keySet()}})
            return {"labels": {"object-labels": {str(k): str(objects.get(k)) for k in objects.keySet()}, "fields": out_fields}}
        finally:
            catalog.close()

    def direct_catalog(self):
        catalog = self.jvm.org.apache.iceberg.rest.RESTCatalog()
        catalog.initialize(
            "direct",
            {
                "uri": os.environ["CATALOG_URI"],
                "warehouse": os.environ["CATALOG_WAREHOUSE"],
                "credential": os.environ["CATALOG_CREDENTIAL"],
                "rest.auth.type": "oauth2",
                "header.X-Iceberg-Access-Delegation": "vended-credentials",
                "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            },
        )
        return catalog

    def load_via_view(self, cmd):
        jvm = self.jvm
        catalog = self.direct_catalog()
        try:
            parse = jvm.org.apache.iceberg.catalog.TableIdentifier.parse
            chain = jvm.java.util.ArrayList()
            for view in cmd["views"]:
                chain.add(parse(view))
            context = jvm.org.apache.iceberg.catalog.LoadContext.builder().referencedBy(chain).build()
            table = catalog.loadTable(parse(cmd["table"]), context)
            views = [catalog.loadView(parse(v), context).name() for v in cmd["views"][-1:]]
            rows = 0
            tasks = table.newScan().planFiles()  # a Java CloseableIterable: py4j does not iterate it
            try:
                it = tasks.iterator()
                while it.hasNext():
                    rows += it.next().file().recordCount()
            finally:
                tasks.close()
            snapshot = table.currentSnapshot()
            return {"snapshot": None if snapshot is None else str(snapshot.snapshotId()), "rows": rows, "views": views}
        finally:
            catalog.close()



if __name__ == "__main__":
    sys.exit(lakegate_spark.serve(lambda: Driver(session())))
