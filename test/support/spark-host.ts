/**
 * The shared Spark driver host (peers/spark/host.py): one PySpark process whose SparkContext runs every Spark job of a
 * test run, each job in a session of its own (its catalogs, SQL conf and UDFs), so the JVM starts and warms up once
 * per Vitest process, not once per test file. Started by the first file that needs it and recorded in the run's peer
 * directory (shared-peers.ts); later files reuse it; the run's global teardown stops it (`spark.sh stop-host`).
 * Outside a run with the global setup a file gets a host of its own, stopped by its `release()`.
 *
 * Jobs reach it over a Unix socket (no port): test/support/spark-session.ts (SparkSession.shared, runSparkJob).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { peerScript } from './peers.js';
import { REPO_ROOT } from './server-process.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
import { runAsync, tempDir } from './temp.js';

export interface SparkHost {
  /** The host's Unix socket: one connection per job. */
  socket: string;
  /** The host's stdout and stderr (Spark's logging). */
  log: string;
  /** Stops a host of the file's own; nothing for the run's shared one. */
  release(): Promise<void>;
}

/** The host of this run (started when none answers), or one of the file's own outside a run with the global setup. */
export async function sparkHost(timeoutMs = 10 * 60_000): Promise<SparkHost> {
  const shareable = peersDir() !== undefined;
  const shared = shareable ? readPeer('spark') : undefined;
  if (shared && (await answers(shared.info.socket!))) return { socket: shared.info.socket!, log: shared.info.log!, release: async () => undefined };
  // A new directory for each start: a host that died earlier in the run leaves its own behind.
  const dir = shareable ? { dir: mkdtempSync(path.join(peersDir()!, 'spark-')), cleanup: () => undefined } : tempDir('lakegate-spark-host-');
  const socket = path.join(dir.dir, 'host.sock');
  const log = path.join(dir.dir, 'host.log');
  const stop = async () => {
    await runAsync('bash', [peerScript('spark.sh'), 'stop-host', dir.dir]).catch(() => undefined);
    dir.cleanup();
  };
  // Like every Spark job's: no AWS_* variable reaches the host (it refuses to start with one).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))) as NodeJS.ProcessEnv;
  const fd = openSync(log, 'a');
  const child = spawn('bash', [peerScript('spark.sh'), 'run', path.join(REPO_ROOT, 'peers', 'spark', 'host.py'), dir.dir], {
    env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(path.join(dir.dir, 'host.pid')) && (await answers(socket)))) {
      if (exited !== undefined) throw new Error(`the Spark host exited (${exited}) before it was ready:\n${logTail(log)}`);
      if (Date.now() > deadline) throw new Error(`the Spark host was not ready in ${timeoutMs} ms:\n${logTail(log)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (shareable) {
    recordPeer('spark', { stop: { script: 'spark.sh', args: ['stop-host', dir.dir] }, info: { socket, log } });
    return { socket, log, release: async () => undefined };
  }
  return { socket, log, release: stop };
}

/** Whether something accepts connections on the socket (the host takes an empty connection as a probe). */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(socket);
    c.once('connect', () => {
      c.end();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** The host log's size now (a job's own part of the log starts there). */
export function logSize(log: string): number {
  try {
    return statSync(log).size;
  } catch {
    return 0;
  }
}

/** The host log from `from` (bytes) on, at most its last `max` characters. */
export function logTail(log: string, from = 0, max = 40_000): string {
  try {
    const text = readFileSync(log).subarray(from).toString('utf8');
    return text.slice(-max);
  } catch {
    return '';
  }
}
