/**
 * The set-up the PyIceberg policy interop tests share (policies-rename-pyiceberg, policies-dotted-pyiceberg): a
 * Lakegate server on MinIO (bucket `lakegate-<name>`, warehouse lake), a writer and an analyst principal granted on the
 * warehouse with their tokens, PyIceberg 0.12's virtualenv, and peers/python/pyiceberg_policies.py run against the
 * table crm.<name>, which it writes first in the given mode.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from './access.js';
import type { Send } from './iceberg-http.js';
import type { Minio } from './minio.js';
import { startMinioServer } from './minio-server.js';
import { peerScript } from './peers.js';
import { REPO_ROOT, type ServerProcess, clientToken, createGrantedPrincipal } from './server-process.js';
import { runAsync } from './temp.js';

export interface PyIcebergPolicyPeer {
  admin: Send;
  /** The analyst principal's own role, for a policy's roles. */
  analystRole: string;
  /** Bearer tokens by principal: writer, analyst. */
  tokens: Record<string, string>;
  /** pyiceberg_policies.py with `env` (MODE …) over the table; the JSON lines it printed. */
  runPython(env: Record<string, string>): Promise<Array<Record<string, unknown>>>;
  /** The table read (MODE read, server planning) as each principal, by name: the files planned and the rows. */
  readAll<R>(): Promise<Record<string, { files: string[]; rows: R[] }>>;
  /** The Lakegate server and its MinIO (for tests that go to the store themselves). */
  server: ServerProcess;
  minio: Minio;
  stop(): Promise<void>;
}

export async function startPyIcebergPolicyPeer(name: string, writeMode: string): Promise<PyIcebergPolicyPeer> {
  const venv = runAsync('bash', [
    peerScript('python-venv.sh'),
    'pyiceberg-signing',
    'peers/python/requirements-signing.txt',
    'import pyiceberg, pyarrow, s3fs',
  ]);
  let minio: Minio | undefined;
  let server: ServerProcess | undefined;
  const stop = async () => {
    await server?.stop();
    await minio?.stop();
  };
  try {
    const started = await startMinioServer(`lakegate-${name}`, {});
    ({ minio, server } = started);
    const [m, s] = [minio, server];
    const scope = { type: 'warehouse' as const, warehouse: 'lake' };
    const writer = await createGrantedPrincipal(s, `${name}-writer`, [...READ_WRITE_ALL, 'table:read-data'], scope);
    const analyst = await createGrantedPrincipal(s, `${name}-analyst`, READ_ONLY, scope);
    const tokens: Record<string, string> = {};
    for (const [who, p] of Object.entries({ writer, analyst })) tokens[who] = await clientToken(s.url, p.credential);
    const installed = await venv;
    expect(installed.status, installed.stderr).toBe(0);
    const python = installed.stdout.trim().split('\n').at(-1)!.trim();
    const runPython = async (env: Record<string, string>) => {
      const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_policies.py')], {
        env: {
          ...process.env,
          CATALOG_URI: s.url,
          CATALOG_WAREHOUSE: 'lake',
          S3_ENDPOINT: m.endpoint,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          POLICY_TABLE: `crm.${name}`,
          ...env,
        },
        timeoutMs: 5 * 60_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      return run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const readAll = async <R>() => {
      const steps = await runPython({ MODE: 'read', READER_TOKENS: JSON.stringify(tokens) });
      return Object.fromEntries(steps.map((st) => [String(st.step).slice('read:'.length), st as unknown as { files: string[]; rows: R[] }]));
    };
    await runPython({ MODE: writeMode, WRITER_TOKEN: tokens.writer! });
    return { admin: started.admin, analystRole: `${analyst.id}-role`, tokens, runPython, readAll, server: s, minio: m, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
