/**
 * A row filter on fields whose own names hold a '.' (a column "x.y", a struct's field "a.b" named "person.a.b" as
 * Iceberg's name index names it), enforced by the catalog for a real client on a real S3: PyIceberg 0.12
 * (peers/python/pyiceberg_policies.py, MODE write-dotted) writes the table on MinIO, the policy API takes the filter,
 * and PyIceberg in server planning mode reads, as a restricted principal, exactly the rows the filter admits, from the
 * policy's derived files only. Before 2026-11-29 the policy was a 400 ("cannot find field").
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import type { Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import { peerScript } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, clientToken, createGrantedPrincipal } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const POLICIES = '/management/v1/warehouses/lake/namespaces/crm/tables/dotted/policies';
let minio: Minio;
let server: ServerProcess;
let admin: Send;
let python: string;
let analystRole = '';
const tokens: Record<string, string> = {};

type Row = [number, string | null, { 'a.b': string | null; c: string | null } | null];

async function runPython(env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_policies.py')], {
    env: {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      S3_ENDPOINT: minio.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      POLICY_TABLE: 'crm.dotted',
      ...env,
    },
    timeoutMs: 5 * 60_000,
  });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  const venv = runAsync('bash', [
    peerScript('python-venv.sh'),
    'pyiceberg-signing',
    'peers/python/requirements-signing.txt',
    'import pyiceberg, pyarrow, s3fs',
  ]);
  ({ minio, server, admin } = await startMinioServer('lakegate-dotted', {}));
  const scope = { type: 'warehouse' as const, warehouse: 'lake' };
  const writer = await createGrantedPrincipal(server, 'dotted-writer', [...READ_WRITE_ALL, 'table:read-data'], scope);
  const analyst = await createGrantedPrincipal(server, 'dotted-analyst', READ_ONLY, scope);
  analystRole = `${analyst.id}-role`;
  for (const [name, p] of Object.entries({ writer, analyst })) tokens[name] = await clientToken(server.url, p.credential);
  const installed = await venv;
  expect(installed.status, installed.stderr).toBe(0);
  python = installed.stdout.trim().split('\n').at(-1)!.trim();
  await runPython({ MODE: 'write-dotted', WRITER_TOKEN: tokens.writer! });
}, 10 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

it(
  "reads through PyIceberg's server-side plan exactly the rows a filter on x.y and person.a.b admits",
  async () => {
    const filter = { type: 'or', left: { type: 'eq', term: 'person.a.b', value: 'keep' }, right: { type: 'not-eq', term: 'x.y', value: 'eu' } };
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: [analystRole], filter });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body['field-ids']).toEqual([2, 4]);

    const steps = await runPython({ MODE: 'read', READER_TOKENS: JSON.stringify(tokens) });
    const read = Object.fromEntries(steps.map((s) => [String(s.step).slice('read:'.length), s as unknown as { files: string[]; rows: Row[] }]));
    const all = read.writer!.rows;
    expect(all).toHaveLength(10);
    const admitted = all.filter(([, xy, person]) => person?.['a.b'] === 'keep' || (xy !== null && xy !== 'eu'));
    expect(admitted.length).toBeGreaterThan(2);
    expect(admitted.length).toBeLessThan(all.length);
    expect(read.analyst!.rows).toEqual(admitted);
    for (const f of read.analyst!.files) expect(f).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\//);
  },
  10 * 60_000,
);
