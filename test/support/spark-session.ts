/**
 * One long-lived PySpark driver (scripts/peers/spark.sh run <script>) that a test talks to: a JSON command per line on
 * its stdin, one `@@reply {json}` line per command on its stdout. Spark starts once per test file, and the test does
 * its own steps (catalog calls, bucket listings) between Spark's.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { peerScript } from './peers.js';

const REPLY = '@@reply ';

export class SparkSession {
  private stdout = '';
  private stderr = '';
  private waiting: Array<(line: string) => void> = [];
  private replies: string[] = [];
  private exited = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      let nl: number;
      while ((nl = this.stdout.indexOf('\n')) >= 0) {
        const line = this.stdout.slice(0, nl);
        this.stdout = this.stdout.slice(nl + 1);
        if (!line.startsWith(REPLY)) continue;
        const next = this.waiting.shift();
        if (next) next(line.slice(REPLY.length));
        else this.replies.push(line.slice(REPLY.length));
      }
    });
    // Spark logs a lot to stderr: keep the tail for failure messages.
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-40_000)));
    child.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ ok: false, error: `the Spark driver exited:\n${this.stderr}` }));
    });
  }

  /** Starts the driver script with the env (no AWS_* variables are passed on) and waits for its ready reply. */
  static async start(script: string, env: Record<string, string>, timeoutMs = 10 * 60_000): Promise<SparkSession> {
    const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([k]) => !k.startsWith('AWS_'))) as NodeJS.ProcessEnv;
    const child = spawn('bash', [peerScript('spark.sh'), 'run', script], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new SparkSession(child);
    const ready = await session.next(timeoutMs);
    if (!ready.ok) throw new Error(`Spark did not start: ${JSON.stringify(ready)}`);
    return session;
  }

  /** Sends one command and waits for its reply; a failed command throws with Spark's error and the log's tail. */
  async run(command: Record<string, unknown>, timeoutMs = 10 * 60_000): Promise<any> {
    if (this.exited) throw new Error(`the Spark driver has exited:\n${this.stderr}`);
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const got = await this.next(timeoutMs);
    if (!got.ok) throw new Error(`Spark ${String(command.cmd)} failed: ${got.error}\n${got.trace ?? ''}\n${this.stderr.slice(-8000)}`);
    return got;
  }

  private next(timeoutMs: number): Promise<any> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply from Spark in ${timeoutMs} ms:\n${this.stderr.slice(-8000)}`)), timeoutMs);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
    });
  }

  /** Asks the driver to stop Spark and exit; kills it if it has not within the grace period. */
  async stop(graceMs = 60_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
