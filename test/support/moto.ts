/**
 * moto's server (moto[server] 5.2.5 from PyPI, in the cached venv scripts/peers/python-venv.sh builds from
 * peers/moto/requirements.txt) as AWS Glue (and S3) for a test file: one `moto_server` on a free loopback port,
 * stopped by its process id. Its state lives in memory: stop() forgets everything.
 * moto accepts any access key. moto ignores UpdateTable's VersionId; AWS Glue refuses a stale one with
 * ConcurrentModificationException, which Iceberg's GlueCatalog and Lakegate rely on: the server runs through
 * peers/moto/moto_glue_server.py, which adds that one check and nothing else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { peerScript } from './peers.js';
import { REPO_ROOT } from './server-process.js';
import { freePort, runAsync } from './temp.js';

export interface Moto {
  /** `http://127.0.0.1:PORT`: the Glue (and S3) endpoint. */
  endpoint: string;
  port: number;
  /** The venv's python (it has boto3). */
  python: string;
  output(): string;
  stop(): Promise<void>;
}

export const MOTO_CHECK = 'import moto, flask';

/** The venv's python (built on first use: about a minute). */
export async function motoPython(): Promise<string> {
  const r = await runAsync('bash', [peerScript('python-venv.sh'), 'moto', 'peers/moto/requirements.txt', MOTO_CHECK], {
    env: process.env,
    timeoutMs: 20 * 60_000,
  });
  if (r.status !== 0) throw new Error(`python-venv.sh moto failed (${r.status}):\n${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1)!.trim();
}

export async function startMoto(): Promise<Moto> {
  const python = await motoPython();
  const port = await freePort();
  const child: ChildProcess = spawn(python, [path.join(REPO_ROOT, 'peers', 'moto', 'moto_glue_server.py'), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${out}`);
    const up = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, port, python, output: () => out, stop };
}
