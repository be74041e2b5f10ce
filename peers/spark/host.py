"""The shared Spark driver host of a test run: one PySpark process, one SparkContext (one JVM, warmed up once), and the
jobs of peers/spark/ run inside it, one new session each (test/support/spark-session.ts: SparkSession.shared,
runSparkJob).

Run through `scripts/peers/spark.sh run peers/spark/host.py DIR` (in the background; `spark.sh stop-host DIR` stops
it). It refuses to start with any AWS_* variable in its environment (no job may find a storage key there: vended
credentials and remote signing stay the only way to storage), starts the session every job shares the settings of
(lakegate_spark.builder: local[2], loopback, no UI, the Iceberg runtime jars and SQL extensions), then listens on the
Unix socket DIR/host.sock and writes DIR/host.pid. Spark's logging goes to the host's stderr (the test support sends it
to DIR/host.log).

One connection is one job. The test sends one line {"job": "<module of peers/spark>", "env": {...}}: the job's
parameters, exactly the variables it reads when it runs on its own (an AWS_* key among them is refused). The host makes
a new session of its SparkContext (its own SQL conf, catalogs, temporary views and UDFs: catalog names do not meet
another job's) and the job's configure() sets its SQL conf and REST catalogs on it before their first use. Then:
  - a long-lived driver (the module's Driver): `@@reply {json}` lines, a ready one first, then one per command line
    the test sends, until `quit` or the connection's end;
  - a one-shot job (the module's job()): the lines it emits, then `@@exit <status>`.
Jobs run on threads of their own (one at a time in practice: a lane's files run one after the other).
"""

import importlib
import json
import os
import signal
import socketserver
import sys
import threading
import time
import traceback

import lakegate_spark

# The jobs the host runs (modules of peers/spark/); anything else is refused.
JOBS = {"compaction", "federation", "locations", "maintenance", "planning_oracle", "policies", "remote_signing", "server_planning", "vended_ctas"}


class Job(socketserver.StreamRequestHandler):
    def handle(self):
        out = self.wfile
        lakegate_spark._out.stream = _TextOut(out)
        try:
            line = self.rfile.readline()
            if not line.strip():
                return  # a probe: is the host there?
            first = json.loads(line)
            name, env = first.get("job"), first.get("env") or {}
            if name not in JOBS:
                raise ValueError(f"unknown job {name!r}")
            leaked = sorted(k for k in env if k.startswith("AWS_"))
            if leaked:
                raise ValueError(f"refusing a job with AWS_* variables: {leaked}")
            env = {str(k): str(v) for k, v in env.items()}
            module = importlib.import_module(name)
            started = time.monotonic()
            print(f"[spark-host] job {name} starts", file=sys.stderr, flush=True)
            if hasattr(module, "Driver"):
                lines = (line.decode() for line in self.rfile)
                lakegate_spark.serve(lambda: module.Driver(lakegate_spark.job_session(HOST.spark, module, env)), lines, stop_spark=False)
            else:
                try:
                    status = module.job(lakegate_spark.job_session(HOST.spark, module, env), env)
                except Exception as e:  # noqa: BLE001 - a job's own failure, reported to the test
                    summary = {"summary": True, "ok": False, "failed": 0}
                    lakegate_spark.fail_step(summary, "job", e)
                    lakegate_spark.emit(summary)
                    status = 1
                lakegate_spark._write(f"@@exit {status or 0}")
            print(f"[spark-host] job {name} ends after {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        except (BrokenPipeError, ConnectionResetError):
            print("[spark-host] the test closed the connection", file=sys.stderr, flush=True)
        except Exception as e:  # noqa: BLE001 - a refused or broken request
            traceback.print_exc()
            try:
                lakegate_spark.reply({"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-4000:]})
                lakegate_spark._write("@@exit 2")
            except OSError:
                pass
        finally:
            lakegate_spark._out.stream = None


class _TextOut:
    """The connection as a text stream for lakegate_spark._write."""

    def __init__(self, wfile):
        self.wfile = wfile

    def write(self, text):
        self.wfile.write(text.encode())

    def flush(self):
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class HOST:
    spark = None


def main():
    started = time.monotonic()
    lakegate_spark.refuse_aws_env()
    directory = os.path.abspath(sys.argv[1])
    sock = os.path.join(directory, "host.sock")
    work = lakegate_spark.work_dir("lakegate-spark-host-")
    # Twice a single job's memory: every job of the run lives in this one driver.
    # No console progress bars: the log's tail goes into the tests' failure messages.
    conf = {"spark.ui.showConsoleProgress": "false"}
    HOST.spark = lakegate_spark.start(lakegate_spark.builder("lakegate-spark-host", work, driver_memory="2g", conf=conf))
    # Warm up: one query through the SQL engine before the first job needs it.
    HOST.spark.newSession().sql("SELECT count(*) FROM range(10)").collect()
    if os.path.exists(sock):
        os.unlink(sock)
    server = Server(sock, Job)
    done = threading.Event()

    def stop(*_):
        if not done.is_set():
            done.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(os.path.join(directory, "host.pid.tmp"), "w") as f:
        f.write(str(os.getpid()))
    os.replace(os.path.join(directory, "host.pid.tmp"), os.path.join(directory, "host.pid"))
    print(f"[spark-host] ready on {sock} after {time.monotonic() - started:.1f} s (Spark {HOST.spark.version})", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        if os.path.exists(sock):
            os.unlink(sock)
        HOST.spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
