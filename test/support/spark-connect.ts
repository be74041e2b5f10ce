/**
 * A Spark Connect server for a test file (the Spark executor's Connect mode, spark-executor/spark-executor.ts): Spark
 * 4.1's own SparkConnectServer (pyspark's jars hold spark-connect), started once by `spark-submit --class
 * org.apache.spark.sql.connect.service.SparkConnectServer` from the PySpark venv of scripts/peers/spark.sh, with
 * Iceberg's Spark runtime and aws bundle and Iceberg's SQL extensions, on 127.0.0.1 and a port Spark picks (read
 * from its log), requiring the bearer token given. Also the client's Python: a venv with PySpark's Connect client
 * (peers/spark-connect/requirements.txt). `stop()` ends the server's process group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { runAsync, tempDir } from './temp.js';

export interface SparkConnectServer {
  host: string;
  port: number;
  /** The token the server requires (spark.connect.authenticate.token). */
  token: string;
  /** The Python with PySpark's Connect client. */
  python: string;
  /** The server's log (Spark's). */
  log(): string;
  stop(): Promise<void>;
}

export async function startSparkConnect(token: string, timeoutMs = 10 * 60_000): Promise<SparkConnectServer> {
  const [install, client] = await Promise.all([
    runAsync('bash', [peerScript('spark.sh')]),
    runAsync('bash', [
      peerScript('python-venv.sh'),
      'spark-connect',
      'peers/spark-connect/requirements.txt',
      'import pyspark.sql.connect.session, grpc, pandas, pyarrow, zstandard',
    ]),
  ]);
  if (install.status !== 0) throw new Error(`spark.sh failed:\n${install.stderr}`);
  if (client.status !== 0) throw new Error(`the Spark Connect client venv failed:\n${client.stderr}`);
  const [python, jarDir] = install.stdout.trim().split('\n') as [string, string];
  const bin = path.dirname(python);
  const dir = tempDir('lakegate-spark-connect-');
  const logFile = path.join(dir.dir, 'server.log');
  const fd = openSync(logFile, 'a');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))) as NodeJS.ProcessEnv;
  env.PYSPARK_PYTHON = python;
  env.JAVA_HOME = process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
  const jars = [`${jarDir}/iceberg-spark-runtime-4.1_2.13-1.11.0.jar`, `${jarDir}/iceberg-aws-bundle-1.11.0.jar`].join(',');
  const conf = {
    'spark.connect.grpc.binding.address': '127.0.0.1',
    'spark.connect.grpc.binding.port': '0',
    'spark.connect.authenticate.token': token,
    'spark.sql.extensions': 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions',
    'spark.ui.enabled': 'false',
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.sql.shuffle.partitions': '2',
    // As docs/maintenance.md advises: Spark logs a slow listener event with the job's properties unredacted, the
    // session's SQL conf among them (the job's catalog token).
    'spark.scheduler.listenerbus.logSlowEvent': 'false',
  };
  const args = ['--master', 'local[2]', '--driver-memory', '1g', '--class', 'org.apache.spark.sql.connect.service.SparkConnectServer', '--jars', jars];
  for (const [k, v] of Object.entries(conf)) args.push('--conf', `${k}=${v}`);
  // spark-submit with no application jar for a class of Spark's own: `spark-internal` is what start-connect-server.sh passes.
  const child: ChildProcess = spawn(`${bin}/spark-submit`, [...args, 'spark-internal'], { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (exited === undefined && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 30_000);
      await gone;
      clearTimeout(timer);
    }
    dir.cleanup();
  };
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    const m = /Spark Connect server started at: [^\s:]+:(\d+)/.exec(log());
    if (m) port = Number(m[1]);
    else if (exited !== undefined) throw new Error(`the Spark Connect server exited (${exited}):\n${log().slice(-8000)}`);
    else if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Spark Connect server was not ready in ${timeoutMs} ms:\n${log().slice(-8000)}`);
    } else await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { host: '127.0.0.1', port, token, python: client.stdout.trim().split('\n').at(-1)!, log, stop };
}
