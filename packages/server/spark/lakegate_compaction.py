"""One compaction job of Lakegate's Spark executor (packages/server/src/spark-executor/spark-submit-executor.ts),
run by `spark-submit` with Apache Iceberg's Spark runtime on its classpath: Iceberg's own `rewrite_data_files` or
`rewrite_manifests` procedure on one table of Lakegate's Iceberg REST catalog.

The catalog it reaches is the job's private listener (the catalog's Iceberg surface for the job's length), with the
bearer credential minted for this job only: every snapshot the procedure commits goes through Lakegate's commit path
(its requirements, compare-and-swap, events), as `system:maintenance`. Data files are read and written with the
storage credentials the catalog vends with the table (X-Iceberg-Access-Delegation: vended-credentials): the job
holds no storage key of its own.

Parameters in the environment (never on the command line, which other local users can read):
  LAKEGATE_JOB        JSON: {action, uri, warehouse, namespace: [...], name, options: {...}}
  LAKEGATE_JOB_TOKEN  the job's bearer credential (removed from the environment once read)
Output on stdout, one line: `@@result {json}` (the procedure's counts) or `@@error {"error": "..."}` with exit status 1.
"""

import json
import os
import sys

CATALOG = "lakegate"


def emit(tag, obj):
    sys.stdout.write(f"@@{tag} {json.dumps(obj)}\n")
    sys.stdout.flush()


def quote(part):
    return "`" + part.replace("`", "``") + "`"


def literal(text):
    """A Spark SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def column(path):
    return ".".join(quote(p) for p in path.split("."))


def sort_term(key):
    """An Iceberg sort field as the procedure's sort_order text (Iceberg's Spark SQL extensions parse it)."""
    col, t = column(key["column"]), key["transform"].replace(" ", "").lower()
    if t.startswith("bucket["):
        expr = f"bucket({t[7:-1]}, {col})"
    elif t.startswith("truncate["):
        expr = f"truncate({t[9:-1]}, {col})"
    elif t in ("year", "month", "day", "hour"):
        expr = f"{t}s({col})"
    else:
        expr = col
    direction = "ASC" if key["direction"] == "asc" else "DESC"
    nulls = "NULLS FIRST" if key["nullOrder"] == "nulls-first" else "NULLS LAST"
    return f"{expr} {direction} {nulls}"


def session(job, token):
    from pyspark.sql import SparkSession

    prefix = f"spark.sql.catalog.{CATALOG}"
    conf = {
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": job["uri"],
        f"{prefix}.warehouse": job["warehouse"],
        # Spark redacts conf keys naming a token in its logs and UI.
        f"{prefix}.token": token,
        f"{prefix}.token-refresh-enabled": "false",
        f"{prefix}.cache-enabled": "false",
        f"{prefix}.header.X-Iceberg-Access-Delegation": "vended-credentials",
    }
    b = SparkSession.builder.appName(f"lakegate-{job['action']}")
    for key, value in conf.items():
        b = b.config(key, value)
    return b.getOrCreate()


def run(spark, job):
    table = literal(".".join(quote(p) for p in [*job["namespace"], job["name"]]))
    if job["action"] == "rewrite-manifests":
        row = spark.sql(f"CALL {CATALOG}.system.rewrite_manifests(table => {table}, use_caching => false)").collect()[0].asDict()
        return {"rewrittenManifests": row["rewritten_manifests_count"], "addedManifests": row["added_manifests_count"]}
    o = job["options"]
    options = {"target-file-size-bytes": str(o["targetFileSizeBytes"]), "min-input-files": str(o["minInputFiles"])}
    z = o.get("zorder")
    if z:
        # Iceberg's z-order options, only when asked (else Spark's defaults, which the in-process rewriter shares).
        for key, name in (("varLengthContribution", "var-length-contribution"), ("maxOutputSize", "max-output-size")):
            if z.get(key) is not None:
                options[name] = str(z[key])
    pairs = ", ".join(f"{literal(k)}, {literal(v)}" for k, v in options.items())
    args = [f"table => {table}", f"strategy => {literal(o['strategy'])}", f"options => map({pairs})"]
    if z:
        args.append(f"sort_order => {literal('zorder(' + ', '.join(column(c) for c in z['columns']) + ')')}")
    elif o.get("sortOrder"):
        args.append(f"sort_order => {literal(', '.join(sort_term(k) for k in o['sortOrder']))}")
    row = spark.sql(f"CALL {CATALOG}.system.rewrite_data_files({', '.join(args)})").collect()[0].asDict()
    return {
        "rewrittenDataFiles": row.get("rewritten_data_files_count", 0),
        "addedDataFiles": row.get("added_data_files_count", 0),
        "rewrittenBytes": row.get("rewritten_bytes_count", 0),
        "failedDataFiles": row.get("failed_data_files_count", 0),
    }


def main():
    job = json.loads(os.environ["LAKEGATE_JOB"])
    token = os.environ.pop("LAKEGATE_JOB_TOKEN")
    spark = None
    try:
        spark = session(job, token)
        emit("result", run(spark, job))
        return 0
    except Exception as e:  # noqa: BLE001 - every failure is the job's, reported on one line
        emit("error", {"error": f"{type(e).__name__}: {str(e).strip().splitlines()[0][:1000] if str(e).strip() else ''}"})
        return 1
    finally:
        if spark is not None:
            spark.stop()


if __name__ == "__main__":
    sys.exit(main())
