/** Real peers the interop tests start and stop themselves (see scripts/peers/). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './server-process.js';
import { runAsync } from './temp.js';

const script = (name: string) => path.join(REPO_ROOT, 'scripts', 'peers', name);

function run(name: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('bash', [script(name), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

const lastLine = (out: string) => out.trim().split('\n').at(-1)!.trim();

export interface Postgres {
  url: string;
  createDatabase(name: string): string;
  stop(): void;
}

/** A throwaway PostgreSQL cluster (Debian's postgresql package) on 127.0.0.1. */
export function startPostgres(dir: string, port: number): Postgres {
  const url = lastLine(run('postgres.sh', ['start', dir, String(port)]));
  return {
    url,
    createDatabase(name: string) {
      return lastLine(run('postgres.sh', ['createdb', dir, String(port), name]));
    },
    stop() {
      run('postgres.sh', ['stop', dir]);
    },
  };
}

/** Path of the cached PyIceberg virtualenv's python. */
export function pyicebergPython(): string {
  return lastLine(run('python-venv.sh', []));
}

/** Directory holding the Iceberg Java jars (RCK, fixture server). */
export function icebergJavaLib(): string {
  return lastLine(run('iceberg-java.sh', ['lib']));
}

export const peerScript = script;

/**
 * The python of the cached virtualenv `name`, built from `requirements` (scripts/peers/python-venv.sh; on first use,
 * which can take minutes cold) and checked by running `probe` (its imports). Asynchronous, so the servers a test has
 * started keep draining their pipes meanwhile; a failed build rejects with the script's own output.
 */
export async function pythonVenv(name: string, requirements: string, probe: string, timeoutMs = 20 * 60_000): Promise<string> {
  const r = await runAsync('bash', [script('python-venv.sh'), name, requirements, probe], { timeoutMs });
  if (r.status !== 0) throw new Error(`python-venv.sh ${name} exited ${r.status}: ${r.stderr}`);
  return lastLine(r.stdout);
}
