import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'lakegate-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

import { spawn } from 'node:child_process';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without blocking the event loop. (spawnSync would also stop
 * this process from draining the pipes of servers it started, and a server
 * blocked on a full stdout pipe stalls the peer that is talking to it.)
 */
export function runAsync(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (status) => {
      if (timer) clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (for peers that need a fixed port up front), and not one this
 * process handed out recently: the kernel may answer the same free port to two probes in a row, and a peer asked for
 * two ports (MinIO's API and console, Kafka's broker and controller) then got the same one twice (a cold CI run:
 * "PORT and CONSOLE_PORT must differ").
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (handedOut.size > MAX_REMEMBERED_PORTS) handedOut.delete(handedOut.values().next().value!);
    return port;
  }
  throw new Error('no free port that was not handed out already, after 100 probes');
}

const MAX_REMEMBERED_PORTS = 4096;
const handedOut = new Set<number>();

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
