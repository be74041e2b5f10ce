/** Real peers the interop tests start and stop themselves (see scripts/peers/). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './server-process.js';

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
