/**
 * The CompactionExecutor port (catalog/ports/compaction-executor.ts) on Apache Spark: each job runs the PySpark script
 * shipped with the server (packages/server/spark/lakegate_compaction.py), which calls Iceberg's own
 * `rewrite_data_files` or `rewrite_manifests` procedure on the table, in one of two modes:
 *  - submit: one `spark-submit` of the script per job (a JVM and a driver on this host for the job's length);
 *  - connect (`sparkConnect`): the script run by a Python with PySpark's Connect client, which opens a session of its
 *    own on a running Spark Connect server (no JVM here; the server's driver and executors do the work), registers
 *    the job's catalog in that session only, and releases the session when it ends.
 *
 * Why a private listener: the procedure must commit through the catalog's commit path (the executor's invariant), so
 * Spark's Iceberg REST catalog is pointed at the catalog's own Iceberg surface, started for the job's length on
 * 127.0.0.1 and a free port, whose only credential is a secret minted for this job (lance-optimize/job-credential.ts,
 * as Lance optimize does): Spark loads the table, gets the storage credentials the catalog vends with it, and commits
 * its `replace` snapshot with the same requirements, compare-and-swap, events and records as any client, as
 * `system:maintenance` on behalf of the caller. The secret goes to the script in its environment (never on the
 * command line); it is accepted nowhere else, and by nothing once the job ends. Spark's driver therefore runs on this
 * host (submit: deploy mode client, spark-submit's default; connect: the Connect server must be on this host too, as
 * the listener is on 127.0.0.1); its executors (a cluster's, with `sparkMaster` or the Connect server's master) reach
 * only the storage, with the vended credentials.
 *
 * When the job loses its table lease (the signal), the listener refuses every further request at once, so Spark can
 * commit nothing more, and the job's process group is stopped (SIGTERM, then SIGKILL; with Spark Connect the script
 * interrupts its session's operations and releases the session on SIGTERM). A failed job (Spark's
 * exit status, or its procedure's error) is ERR_EXECUTOR_FAILED with the reason the script reported (its exception's
 * first line), the job's secret removed from it; the log gets the tail of Spark's output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuthenticatorChain } from '../auth/authn/authenticator.js';
import { AuthenticatorChain as Chain } from '../auth/authn/authenticator.js';
import type {
  CompactionExecutor,
  CompactionJobTarget,
  EngineDataFilesOptions,
  EngineDataFilesStats,
  EngineManifestStats,
} from '../catalog/ports/compaction-executor.js';
import { CatalogError } from '../errors/catalog-error.js';
import { JobCredential } from '../lance-optimize/job-credential.js';
import { jobFailure, OutputTail } from './spark-failure.js';

/** The script every job runs (shipped in the package beside dist/). */
export const SPARK_JOB_SCRIPT = fileURLToPath(new URL('../../spark/lakegate_compaction.py', import.meta.url));

/** How long a stopped job's process has to end before it is killed. */
const STOP_GRACE_MS = 15_000;

export type SparkExecutorSettings = SparkSubmitSettings | SparkConnectSettings;

export interface SparkConnectSettings {
  mode: 'connect';
  /** The Spark Connect URL (sc://host:port/;token=…), checked at startup (config/spark-connect.ts). */
  remote: string;
  /** Its credentials (the token), removed from what a failure says. */
  secrets: string[];
  /** The Python with PySpark's Connect client. */
  python: string;
}

export interface SparkSubmitSettings {
  mode: 'submit';
  /** The spark-submit command (a path, or a name on PATH). */
  submit: string;
  /** --master (local[2], spark://…, yarn, k8s://…). */
  master: string;
  /** --jars: Iceberg's Spark runtime and, for S3 storage, iceberg-aws-bundle (comma-separated paths or URLs). */
  jars: string;
  /** More spark-submit arguments (e.g. --conf spark.driver.memory=2g), before the script. */
  args: string[];
}

/** Builds the catalog's Iceberg surface on a private app whose only authenticator is `chain`'s. */
export type LoopbackIcebergApp = (chain: AuthenticatorChain) => Promise<FastifyInstance>;

export class SparkExecutor implements CompactionExecutor {
  readonly kind = 'spark';

  constructor(
    private readonly settings: SparkExecutorSettings,
    private readonly loopback: LoopbackIcebergApp,
    private readonly logger: Logger,
  ) {}

  rewriteDataFiles(target: CompactionJobTarget, options: EngineDataFilesOptions): Promise<EngineDataFilesStats> {
    return this.run<EngineDataFilesStats>(target, 'rewrite-data-files', options);
  }

  rewriteManifests(target: CompactionJobTarget): Promise<EngineManifestStats> {
    return this.run<EngineManifestStats>(target, 'rewrite-manifests', {});
  }

  private async run<T>(target: CompactionJobTarget, action: string, options: object): Promise<T> {
    target.signal?.throwIfAborted();
    const credential = new JobCredential(target.committer, 'compaction-job');
    const app = await this.loopback(new Chain([credential]));
    // Once the job lost its lease, nothing more reaches the catalog through this listener: no commit can land.
    app.addHook('onRequest', async () => {
      if (target.signal?.aborted) throw new CatalogError('ERR_UNAVAILABLE', 'The compaction job was stopped (its table lease was lost)');
    });
    try {
      // exclusive: in a worker of `serve --workers N` (node:cluster), this process's own socket, not one the primary shares.
      await app.listen({ host: '127.0.0.1', port: 0, exclusive: true });
      const { port } = app.server.address() as { port: number };
      const job = { action, uri: `http://127.0.0.1:${port}`, warehouse: target.warehouse, namespace: target.namespace, name: target.name, options };
      const secret = credential.authorization.slice('Bearer '.length);
      return (await this.submit(job, secret, target.signal)) as T;
    } finally {
      await app.close();
    }
  }

  /** The command that runs the job's script, its arguments and the mode's environment. */
  private command(): { command: string; args: string[]; env: Record<string, string> } {
    const settings = this.settings;
    if (settings.mode === 'connect') return { command: settings.python, args: [SPARK_JOB_SCRIPT], env: { LAKEGATE_SPARK_REMOTE: settings.remote } };
    const { submit, master, jars } = settings;
    return { command: submit, args: ['--master', master, ...(jars ? ['--jars', jars] : []), ...settings.args, SPARK_JOB_SCRIPT], env: {} };
  }

  private submit(job: Record<string, unknown>, secret: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { command, args, env: modeEnv } = this.command();
    const secrets = [secret, ...(this.settings.mode === 'connect' ? this.settings.secrets : [])];
    const what = this.settings.mode === 'connect' ? `the Spark Connect job's Python` : 'spark-submit';
    // The server's own settings (a database URL, keys) and any storage key stay here: Spark gets the job, its
    // credential and the rest of the environment (JAVA_HOME, PYSPARK_PYTHON, SPARK_HOME, PATH...). Spark Connect's
    // own SPARK_REMOTE and token variables neither: the URL is the configured one.
    const kept = Object.entries(process.env).filter(
      ([k]) => !k.startsWith('LAKEGATE_') && !k.startsWith('AWS_') && k !== 'SPARK_REMOTE' && k !== 'SPARK_CONNECT_AUTHENTICATE_TOKEN',
    );
    const env = { ...Object.fromEntries(kept), ...modeEnv, LAKEGATE_JOB: JSON.stringify(job), LAKEGATE_JOB_TOKEN: secret };
    const table = `${(job.namespace as string[]).join('.')}.${String(job.name)}`;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        // Its own process group: stopping the job stops the JVM spark-submit starts too.
        child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      } catch (e) {
        reject(jobFailure(`${what} could not start: ${e instanceof Error ? e.message : String(e)}`, secrets));
        return;
      }
      const stdout = new OutputTail();
      const stderr = new OutputTail();
      child.stdout!.on('data', (d: Buffer) => stdout.add(d));
      child.stderr!.on('data', (d: Buffer) => stderr.add(d));
      let killer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (child.pid === undefined) return;
        signalGroup(child.pid, 'SIGTERM');
        killer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
      };
      signal?.addEventListener('abort', stop, { once: true });
      child.on('error', (e) => {
        signal?.removeEventListener('abort', stop);
        reject(jobFailure(`${what} (${command}) could not start: ${e.message}`, secrets));
      });
      child.on('close', (code, by) => {
        signal?.removeEventListener('abort', stop);
        if (killer) clearTimeout(killer);
        const result = stdout.line('@@result ');
        if (code === 0 && result !== undefined) {
          resolve(JSON.parse(result));
          return;
        }
        this.logger.warn(
          { table, action: job.action, mode: this.settings.mode, code, signal: by, output: stderr.text(secrets) },
          'spark compaction job failed',
        );
        if (signal?.aborted) {
          reject(signal.reason instanceof Error ? signal.reason : new CatalogError('ERR_UNAVAILABLE', 'The compaction job was stopped'));
          return;
        }
        const reported = stdout.line('@@error ');
        const reason = reported !== undefined ? String((JSON.parse(reported) as { error?: unknown }).error) : stderr.lastError();
        reject(jobFailure(`the Spark job (${String(job.action)} of ${table}) failed, exit status ${code ?? by}: ${reason ?? 'no reason reported'}`, secrets));
      });
    });
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // gone already
  }
}
