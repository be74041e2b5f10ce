/** Runs the built `lakegate` bin as users run it: a fresh Node process per command, with a config dir of the test's. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './server-process.js';

export const CLI_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lakegate.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment (no LAKEGATE_* or AWS_* from the test runner) and `configDir` as its config dir. */
export function runCli(configDir: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAKEGATE_') && !k.startsWith('AWS_')));
  Object.assign(env, { LAKEGATE_CONFIG_DIR: configDir, ...options.env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
