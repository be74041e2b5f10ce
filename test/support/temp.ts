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

import { claimPort } from './ports.js';

/**
 * A TCP port on 127.0.0.1 for a peer that needs a fixed port up front: one nothing listens on, below the kernel's own
 * range, claimed so that no other process of this machine's test runs is handed it while this one (or, with `while`,
 * the run whose peer directory that is) lives. See ports.ts for why the kernel's own pick is not enough.
 */
export async function freePort(options: { while?: string } = {}): Promise<number> {
  return claimPort(options.while ? { while: options.while } : {});
}
