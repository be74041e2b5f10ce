/** Runs the built `lakegate` bin as users run it: a fresh Node process per command, with a config dir of the test's. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, type ServerProcess, startServer } from './server-process.js';
import { tempDir } from './temp.js';

export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lakegate.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with a clean environment (no LAKEGATE_* or AWS_* from the test runner) and `configDir` as its config dir.
 * A run still going after `timeoutMs` (default 30 s) is killed (its code is then null).
 */
export function runCli(configDir: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAKEGATE_') && !k.startsWith('AWS_')));
  Object.assign(env, { LAKEGATE_CONFIG_DIR: configDir, ...options.env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The run exited 0 and printed one JSON document: that document. */
export function jsonOf(run: CliRun): any {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** A real server process (log level warn) and a config dir whose default profile is its admin, on warehouse default. */
export interface CliSession {
  server: ServerProcess;
  /** The config dir (LAKEGATE_CONFIG_DIR) the runs share. */
  configDir: string;
  /** Runs the CLI with that config dir. */
  run(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** Stops the server and removes the config dir. */
  close(): Promise<void>;
}

/** Starts the server and logs its admin in with `lakegate login` (the set-up the CLI tests share). */
export async function startCliSession(configPrefix: string): Promise<CliSession> {
  const server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  const config = tempDir(configPrefix);
  const session: CliSession = {
    server,
    configDir: config.dir,
    run: (args, options) => runCli(config.dir, args, options),
    async close() {
      await server.stop();
      config.cleanup();
    },
  };
  const login = await session.run([
    'login',
    '--uri',
    server.url,
    '--warehouse',
    'default',
    '--credential',
    `@${path.join(server.dataDir, 'admin-credentials.json')}`,
  ]);
  if (login.code !== 0) await session.close();
  expect(login.code, login.stderr).toBe(0);
  return session;
}
