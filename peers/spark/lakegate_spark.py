"""The local Spark session every Lakegate Spark job starts from, and the REST catalogs it points at Lakegate.

Imported by the jobs in peers/spark/ and by bench/maintenance-spark.py; `scripts/peers/spark.sh run` puts this folder
on PYTHONPATH. Each job keeps its own settings (app name, extra Spark conf, which catalogs, how they authenticate and
how they reach storage); what is here is only what they all share:

  - a fresh working directory (Spark drops spark-warehouse/, metastore_db/ and the like into the cwd);
  - a local[2] session bound to 127.0.0.1 with no UI, two shuffle partitions and Iceberg's SQL extensions;
  - a REST catalog: `rest_catalog(builder, name, uri=..., warehouse=...)`, with an OAuth2 client credential and the
    access delegation (vended-credentials or remote-signing, both through S3FileIO with no storage key) when asked;
  - the JSON line protocol on stdout (`emit`; a one-shot job's failure line, `fail_step`; a long-lived driver's `reply`
    lines and command loop, `serve`, and its base class `SqlDriver`) and the refusal to run with AWS_* keys in the
    environment;
  - a job's two ways to run (`run_job`): on its own (`spark.sh run <job>.py`: a session of its own, configured from
    os.environ) or inside the shared driver host (peers/spark/host.py: a new session of the host's SparkContext per
    job, configured at runtime from the env the test sent). A job module defines APP (the app name), configure(conf,
    env) (its SQL conf and REST catalogs, through `conf.config(key, value)`: a builder or a `SessionConf`), and either
    Driver (a long-lived driver, SqlDriver's subclass) or job(spark, env) (a one-shot job: emits lines, answers its
    exit status).
"""

import json
import os
import sys
import tempfile
import threading

# Where emit and reply write: the host points it at the job's connection (one thread per job); else stdout.
_out = threading.local()


def _write(line):
    stream = getattr(_out, "stream", None) or sys.stdout
    stream.write(line + "\n")
    stream.flush()


def emit(obj):
    """One JSON object per line on stdout, or on the job's connection in the host (Spark's logging goes to stderr)."""
    _write(json.dumps(obj))


def fail_step(summary, step, error):
    """Inside a job's `except`: counts the failure in the summary and prints a fail line with the step, the error and
    its trace (the tail every one-shot job shares)."""
    import traceback

    summary["failed"] = 1
    emit({"step": step, "status": "fail", "error": f"{type(error).__name__}: {str(error)[:3000]}", "trace": traceback.format_exc()[-4000:]})


def stop(spark):
    """Stops the session, if it started."""
    if spark is not None:
        spark.stop()


def refuse_aws_env():
    """A job that must hold no storage key stops before Spark starts if any AWS_* variable could supply one."""
    leaked = sorted(k for k in os.environ if k.startswith("AWS_"))
    if leaked:
        raise SystemExit(f"refusing to run with AWS_* variables set: {leaked}")


def work_dir(prefix):
    """A new temporary directory, made the cwd; Spark's driver binds to loopback."""
    work = tempfile.mkdtemp(prefix=prefix)
    os.chdir(work)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return work


def builder(app, work, *, driver_memory="1g", conf=None):
    """A SparkSession builder for a local[2] session with the Iceberg runtime (LAKEGATE_SPARK_JARS) and its SQL
    extensions; `conf` adds the job's own settings."""
    from pyspark.sql import SparkSession

    settings = {
        "spark.jars": os.environ["LAKEGATE_SPARK_JARS"],
        "spark.driver.memory": driver_memory,
        "spark.ui.enabled": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.warehouse.dir": os.path.join(work, "spark-warehouse"),
        "spark.local.dir": os.path.join(work, "local"),
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        **(conf or {}),
    }
    b = SparkSession.builder.appName(app).master("local[2]")
    for key, value in settings.items():
        b = b.config(key, value)
    return b


def rest_catalog(b, name, *, uri, warehouse, credential=None, oauth2_server_uri=None, scope=None, delegation=None,
                 conf=None):
    """Adds Spark catalog `name`: Iceberg's REST catalog at `uri`, with table caching off (each statement loads the
    table afresh, so a new FileIO holds what that load vended).

    credential: "client_id:client_secret" (OAuth2 client credentials; token endpoint oauth2_server_uri, else Iceberg's
    default <uri>/v1/oauth/tokens; scope, else Iceberg's default). delegation: "vended-credentials" or
    "remote-signing" (X-Iceberg-Access-Delegation), read and written through S3FileIO with no endpoint, region or key
    of its own: all of them come with the table. None: the FileIO the table's location implies. conf: more catalog
    properties (without the spark.sql.catalog.<name>. prefix)."""
    cat = f"spark.sql.catalog.{name}"
    props = {"type": "rest", "uri": uri, "warehouse": warehouse, "cache-enabled": "false"}
    if credential:
        props.update({"credential": credential, "rest.auth.type": "oauth2"})
    if oauth2_server_uri:
        props["oauth2-server-uri"] = oauth2_server_uri
    if scope:
        props["scope"] = scope
    if delegation:
        props.update({"header.X-Iceberg-Access-Delegation": delegation, "io-impl": "org.apache.iceberg.aws.s3.S3FileIO"})
    props.update(conf or {})
    b = b.config(cat, "org.apache.iceberg.spark.SparkCatalog")
    for key, value in props.items():
        b = b.config(f"{cat}.{key}", value)
    return b


def rest_catalog_from_env(b, name, env=None, *, delegation=None, conf=None):
    """rest_catalog as the job's env (else os.environ) describes it: CATALOG_URI, CATALOG_WAREHOUSE, and when set
    CATALOG_CREDENTIAL, CATALOG_OAUTH2_SERVER_URI and CATALOG_SCOPE."""
    env = os.environ if env is None else env
    return rest_catalog(
        b,
        name,
        uri=env["CATALOG_URI"],
        warehouse=env["CATALOG_WAREHOUSE"],
        credential=env.get("CATALOG_CREDENTIAL"),
        oauth2_server_uri=env.get("CATALOG_OAUTH2_SERVER_URI"),
        scope=env.get("CATALOG_SCOPE"),
        delegation=delegation,
        conf=conf,
    )


def start(b):
    """getOrCreate, with Spark's log level at WARN."""
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def as_of(snapshot):
    """The time-travel clause of a query at `snapshot` (an id), or nothing for the current snapshot."""
    return f" VERSION AS OF {snapshot}" if snapshot is not None else ""


class SqlDriver:
    """The base of a long-lived driver (serve): its session, and SQL run to a list of rows."""

    def __init__(self, spark):
        self.spark = spark

    def sql(self, text):
        return self.spark.sql(text).collect()


def reply(obj):
    """One reply line of a long-lived driver: `@@reply {json}` (test/support/spark-session.ts reads these)."""
    _write("@@reply " + json.dumps(obj))


def serve(make_driver, lines=None, stop_spark=True):
    """A long-lived driver (test/support/spark-session.ts): `make_driver()` starts Spark and returns an object with
    `spark` and `run(command)`; a ready reply (or the start's error), then one reply per JSON command line (of `lines`,
    else stdin), until `quit` or their end, then Spark stops (unless stop_spark is false: the host's session stays). A
    failed command is a reply with its error, not the driver's end."""
    import traceback

    try:
        driver = make_driver()
    except Exception as e:  # noqa: BLE001 - reported to the test
        reply({"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-4000:]})
        return 1
    reply({"ok": True, "ready": True})
    for line in lines if lines is not None else sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if command.get("cmd") == "quit":
            break
        try:
            reply({"ok": True, **driver.run(command)})
        except Exception as e:  # noqa: BLE001 - reported to the test
            reply({"ok": False, "error": f"{type(e).__name__}: {str(e)[:4000]}", "trace": traceback.format_exc()[-4000:]})
    if stop_spark:
        driver.spark.stop()
    return 0


class SessionConf:
    """A running session's SQL conf with a builder's `config(key, value)`: a job's configure() sets its catalogs and
    SQL settings on a session of the host as on a builder. Spark loads `spark.sql.catalog.<name>` lazily, at first use,
    from the session's conf, so a catalog set here before its first use is one like a builder's."""

    def __init__(self, spark):
        self.spark = spark

    def config(self, key, value):
        self.spark.conf.set(key, value)
        return self


def job_session(base, module, env):
    """A new session of the host's SparkContext for one job (its own SQL conf, catalogs, temp views and UDFs), made the
    calling thread's active session (Iceberg's SparkCatalog reads SparkSession.active() when it loads), configured by
    the job from `env`."""
    spark = base.newSession()
    spark._jvm.org.apache.spark.sql.SparkSession.setActiveSession(spark._jsparkSession)
    module.configure(SessionConf(spark), env)
    return spark


def run_job(module, prefix):
    """A job on its own (`spark.sh run <job>.py`): refuses AWS_* in its environment, starts a session of its own in a
    new working directory with the job's configure(builder, os.environ), then serves its Driver or runs its job().
    Answers the exit status."""
    refuse_aws_env()
    env = dict(os.environ)
    if hasattr(module, "Driver"):

        def make():
            b = builder(module.APP, work_dir(prefix))
            module.configure(b, env)
            return module.Driver(start(b))

        return serve(make)
    b = builder(module.APP, work_dir(prefix))
    module.configure(b, env)
    summary = {"summary": True, "ok": False, "failed": 0}
    try:
        spark = start(b)
    except Exception as e:  # noqa: BLE001 - reported to the test
        fail_step(summary, "start_spark", e)
        emit(summary)
        return 1
    try:
        return module.job(spark, env)
    finally:
        spark.stop()
