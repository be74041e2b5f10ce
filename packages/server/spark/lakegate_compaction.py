"""One compaction job of Lakegate's Spark executor (packages/server/src/spark-executor/spark-executor.ts): Iceberg's
own `rewrite_data_files` or `rewrite_manifests` procedure on one table of Lakegate's Iceberg REST catalog. Run either
by `spark-submit` with Apache Iceberg's Spark runtime on its classpath, or (LAKEGATE_SPARK_REMOTE set) by a Python
with PySpark's Connect client, as a session of its own on a Spark Connect server that has Iceberg's Spark runtime and
its SQL extensions: the job's catalog is then registered in that session only (session SQL conf), and the session is
released when the job ends. On SIGTERM (the job lost its table lease) a Connect job interrupts its session's
operations and releases the session before it exits.

The catalog it reaches is the job's private listener (the catalog's Iceberg surface for the job's length), with the
bearer credential minted for this job only: every snapshot the procedure commits goes through Lakegate's commit path
(its requirements, compare-and-swap, events), as `system:maintenance`. Data files are read and written with the
storage credentials the catalog vends with the table (X-Iceberg-Access-Delegation: vended-credentials): the job
holds no storage key of its own.

Parameters in the environment (never on the command line, which other local users can read):
  LAKEGATE_JOB        JSON: {action, uri, warehouse, namespace: [...], name, options: {...}}
  LAKEGATE_JOB_TOKEN  the job's bearer credential (removed from the environment once read)
  LAKEGATE_SPARK_REMOTE  Spark Connect mode: the server's URL, sc://host:port/;token=... (removed once read)
Output on stdout, one line: `@@result {json}` (the procedure's counts) or `@@error {"error": "..."}` with exit status 1.
"""

import json
import os
import signal
import sys
import threading

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


def catalog_conf(job, token):
    """The job's catalog, as SQL conf of its session (so with Spark Connect, of this session only)."""
    prefix = f"spark.sql.catalog.{CATALOG}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": job["uri"],
        f"{prefix}.warehouse": job["warehouse"],
        # Spark redacts conf keys naming a token in its logs and UI (spark.redaction.regex), and a Connect server
        # answers no read of a redacted key (SET shows it as *********(redacted)).
        f"{prefix}.token": token,
        f"{prefix}.token-refresh-enabled": "false",
        f"{prefix}.cache-enabled": "false",
        f"{prefix}.header.X-Iceberg-Access-Delegation": "vended-credentials",
    }


def session(job, token):
    from pyspark.sql import SparkSession

    b = SparkSession.builder.appName(f"lakegate-{job['action']}")
    b = b.config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
    for key, value in catalog_conf(job, token).items():
        b = b.config(key, value)
    return b.getOrCreate()


# How long the Connect server's address may take to accept a TCP connection before the job fails.
CONNECT_TIMEOUT_S = 20


def reachable(remote):
    """Fails at once when nothing listens at the Connect server's address: pyspark's client retries for minutes
    (over 8 measured) before it gives up, and the job would hold its table lease meanwhile."""
    import socket
    from urllib.parse import urlparse

    url = urlparse(remote)
    host, port = url.hostname, url.port or 15002
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        raise ConnectionError(f"cannot reach the Spark Connect server at {host}:{port}: {e.strerror or e}") from None


def connect_session(remote, job, token):
    """A session of its own on the Spark Connect server (create(), never a shared one), the job's catalog set in it.

    Each key is set on its own and a refusal raises (the builder's config() would ignore it). The server's SQL
    extensions are its own (a static conf: a session cannot set them); Iceberg's must be among them."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(remote).create()
    try:
        for key, value in catalog_conf(job, token).items():
            spark.conf.set(key, value)
    except BaseException:
        spark.stop()
        raise
    return spark


def run(spark, job):
    table = literal(".".join(quote(p) for p in [*job["namespace"], job["name"]]))
    if job["action"] == "rewrite-manifests":
        row = spark.sql(f"CALL {CATALOG}.system.rewrite_manifests(table => {table}, use_caching => false)").collect()[0].asDict()
        return {"rewrittenManifests": row["rewritten_manifests_count"], "addedManifests": row["added_manifests_count"]}
    o = job["options"]
    options = options_of(o)
    z = o.get("zorder")
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


def options_of(o):
    """The procedure's options map from the job's options (validated by the catalog)."""
    options = {"target-file-size-bytes": str(o["targetFileSizeBytes"]), "min-input-files": str(o["minInputFiles"])}
    z = o.get("zorder")
    if z:
        # Iceberg's z-order options, only when asked (else Spark's defaults, which the in-process rewriter shares).
        for key, name in (("varLengthContribution", "var-length-contribution"), ("maxOutputSize", "max-output-size")):
            if z.get(key) is not None:
                options[name] = str(z[key])
    for key, name in (
        ("maxFileGroupSizeBytes", "max-file-group-size-bytes"),
        ("minFileSizeBytes", "min-file-size-bytes"),
        ("maxFileSizeBytes", "max-file-size-bytes"),
        ("deleteFileThreshold", "delete-file-threshold"),
        ("deleteRatioThreshold", "delete-ratio-threshold"),
    ):
        if o.get(key) is not None:
            options[name] = str(o[key])
    p = o.get("partialProgress")
    if p is not None:
        # Spark's partial progress: file groups committed as they finish, in at most max-commits commits.
        options["partial-progress.enabled"] = "true"
        if p.get("maxCommits") is not None:
            options["partial-progress.max-commits"] = str(p["maxCommits"])
    return options


def failure(e):
    text = str(e).strip()
    return {"error": f"{type(e).__name__}: {text.splitlines()[0][:1000] if text else ''}"}


def main():
    job = json.loads(os.environ["LAKEGATE_JOB"])
    token = os.environ.pop("LAKEGATE_JOB_TOKEN")
    remote = os.environ.pop("LAKEGATE_SPARK_REMOTE", None)
    if remote:
        return main_connect(remote, job, token)
    spark = None
    try:
        spark = session(job, token)
        emit("result", run(spark, job))
        return 0
    except Exception as e:  # noqa: BLE001 - every failure is the job's, reported on one line
        emit("error", failure(e))
        return 1
    finally:
        if spark is not None:
            spark.stop()


def main_connect(remote, job, token):
    """The job in a Spark Connect session; the procedure runs on a thread so that SIGTERM is handled at once: the
    session's operations are interrupted and the session released (the server drops its conf, the credential)."""
    state = {"spark": None, "outcome": None}
    done = threading.Event()
    stopped = threading.Event()

    def work():
        try:
            reachable(remote)
            state["spark"] = connect_session(remote, job, token)
            if stopped.is_set():
                raise RuntimeError("the job was stopped")
            state["outcome"] = ("result", run(state["spark"], job))
        except BaseException as e:  # noqa: BLE001 - every failure is the job's, reported on one line
            state["outcome"] = ("error", failure(e))
        finally:
            done.set()

    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    threading.Thread(target=work, daemon=True).start()
    while not done.wait(0.2):
        if stopped.is_set():
            break
    spark = state["spark"]
    if stopped.is_set() and not done.is_set():
        if spark is not None:
            try:
                spark.interruptAll()
            finally:
                spark.stop()
        emit("error", {"error": "the job was stopped (SIGTERM): its Spark Connect operations were interrupted"})
        return 143
    if spark is not None:
        try:
            spark.stop()
        except Exception:  # noqa: BLE001 - the outcome is the procedure's; the server expires a session not released
            pass
    tag, body = state["outcome"]
    emit(tag, body)
    return 0 if tag == "result" else 1


if __name__ == "__main__":
    sys.exit(main())
