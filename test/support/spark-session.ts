/**
 * Spark jobs of peers/spark/ for a test, in the run's shared driver host (test/support/spark-host.ts) or in a PySpark
 * process of their own:
 *  - SparkSession: a long-lived driver the test talks to, a JSON command per line, one `@@reply {json}` line per
 *    command; the test does its own steps (catalog calls, bucket listings) between Spark's. `shared(job, env)` runs it
 *    in the host (a session of its own there, for this file); `start(script, env)` starts a process of its own
 *    (`scripts/peers/spark.sh run <script>`: for other Spark jars, e.g. LAKEGATE_ICEBERG_VERSION=1.12.0).
 *  - runSparkJob: a one-shot job in the host, answered as a process would be (its JSON lines as stdout, the host's log
 *    meanwhile as stderr, its exit status).
 * The env is the job's parameters; no AWS_* variable is passed on (the host refuses a job with one).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import { peerScript } from './peers.js';
import { logSize, logTail, sparkHost } from './spark-host.js';

const REPLY = '@@reply ';
const EXIT = '@@exit ';

/** Calls `onLine` with each complete line of a stream's chunks. */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  };
}

interface Transport {
  write(line: string): void;
  /** Ends the driver: quit, then the grace period before it is cut off. */
  close(graceMs: number): Promise<void>;
  /** The driver's log (Spark's stderr), its tail. */
  log(): string;
}

export class SparkSession {
  private waiting: Array<(line: string) => void> = [];
  private replies: string[] = [];
  private exited = false;
  private transport!: Transport;

  private constructor() {}

  private line(line: string): void {
    if (!line.startsWith(REPLY)) return;
    const next = this.waiting.shift();
    if (next) next(line.slice(REPLY.length));
    else this.replies.push(line.slice(REPLY.length));
  }

  private ended(): void {
    this.exited = true;
    for (const w of this.waiting.splice(0)) w(JSON.stringify({ ok: false, error: `the Spark driver ended:\n${this.transport.log()}` }));
  }

  /** Starts the driver script in a process of its own with the env (no AWS_* variables are passed on), waits for its ready reply. */
  static async start(script: string, env: Record<string, string>, timeoutMs = 10 * 60_000): Promise<SparkSession> {
    const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([k]) => !k.startsWith('AWS_'))) as NodeJS.ProcessEnv;
    const child: ChildProcessWithoutNullStreams = spawn('bash', [peerScript('spark.sh'), 'run', script], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new SparkSession();
    let stderr = '';
    // Spark logs a lot to stderr: keep the tail for failure messages.
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-40_000)));
    child.stdout.on(
      'data',
      lineSplitter((l) => session.line(l)),
    );
    child.on('exit', () => session.ended());
    session.transport = {
      write: (line) => child.stdin.write(line),
      log: () => stderr,
      async close(graceMs) {
        if (session.exited) return;
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await gone;
        clearTimeout(timer);
      },
    };
    await session.ready(timeoutMs);
    return session;
  }

  /**
   * The job (a module of peers/spark/ with a Driver, e.g. 'compaction') in the run's shared host, configured by `env`
   * (its parameters only), in a Spark session of its own; waits for its ready reply. The host starts if none runs.
   */
  static async shared(job: string, env: Record<string, string>, timeoutMs = 10 * 60_000): Promise<SparkSession> {
    const host = await sparkHost(timeoutMs);
    const from = logSize(host.log);
    const socket = net.createConnection(host.socket);
    const session = new SparkSession();
    socket.on(
      'data',
      lineSplitter((l) => session.line(l)),
    );
    socket.on('close', () => session.ended());
    socket.on('error', () => undefined);
    session.transport = {
      write: (line) => socket.write(line),
      log: () => logTail(host.log, from),
      async close(graceMs) {
        if (session.exited) return;
        const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
        const timer = setTimeout(() => socket.destroy(), graceMs);
        await gone;
        clearTimeout(timer);
        await host.release();
      },
    };
    socket.write(`${JSON.stringify({ job, env })}\n`);
    try {
      await session.ready(timeoutMs);
    } catch (error) {
      socket.destroy();
      await host.release();
      throw error;
    }
    return session;
  }

  private async ready(timeoutMs: number): Promise<void> {
    const ready = await this.next(timeoutMs);
    if (!ready.ok) throw new Error(`Spark did not start: ${JSON.stringify(ready)}`);
  }

  /** Sends one command and waits for its reply; a failed command throws with Spark's error and the log's tail. */
  async run(command: Record<string, unknown>, timeoutMs = 10 * 60_000): Promise<any> {
    if (this.exited) throw new Error(`the Spark driver has ended:\n${this.transport.log()}`);
    this.transport.write(`${JSON.stringify(command)}\n`);
    const got = await this.next(timeoutMs);
    if (!got.ok) throw new Error(`Spark ${String(command.cmd)} failed: ${got.error}\n${got.trace ?? ''}\n${this.transport.log().slice(-8000)}`);
    return got;
  }

  private next(timeoutMs: number): Promise<any> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply from Spark in ${timeoutMs} ms:\n${this.transport.log().slice(-8000)}`)), timeoutMs);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
    });
  }

  /** Ends the driver (quit: a process of its own stops Spark and exits, the host drops the job's session); cuts it off after the grace period. */
  async stop(graceMs = 60_000): Promise<void> {
    await this.transport.close(graceMs);
  }
}

export interface SparkJobResult {
  /** The job's exit status (null: it did not finish in time, or the host went away). */
  status: number | null;
  /** The job's lines (JSON objects, one a line). */
  stdout: string;
  /** The host's log while the job ran (Spark's logging). */
  stderr: string;
}

/**
 * A one-shot job (a module of peers/spark/ with a job(), e.g. 'server_planning') in the run's shared host, configured
 * by `env` (its parameters only), in a Spark session of its own. `onLine` sees each line as it comes.
 */
export async function runSparkJob(
  job: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; onLine?: (line: string) => void } = {},
): Promise<SparkJobResult> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const host = await sparkHost(timeoutMs);
  const from = logSize(host.log);
  const socket = net.createConnection(host.socket);
  let stdout = '';
  let status: number | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      socket.on(
        'data',
        lineSplitter((line) => {
          if (line.startsWith(EXIT)) status = Number(line.slice(EXIT.length));
          else {
            stdout += `${line}\n`;
            options.onLine?.(line);
          }
        }),
      );
      socket.on('error', reject);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.write(`${JSON.stringify({ job, env })}\n`);
    });
  } finally {
    await host.release();
  }
  return { status, stdout, stderr: logTail(host.log, from) };
}
