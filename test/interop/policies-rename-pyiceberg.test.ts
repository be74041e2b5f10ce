/**
 * A row filter follows its column through a rename (issue 53, catalog/policies/follow.ts), for real clients on a real
 * S3: PyIceberg 0.12 (peers/python/pyiceberg_policies.py) writes a table on MinIO, a policy filters `region = 'eu'`,
 * then PyIceberg renames `region` to `region_old` through the catalog (update_schema().rename_column, an UpdateTable
 * commit), adds a new column `region` and appends rows whose new `region` is the opposite of their `region_old`.
 * PyIceberg in server planning mode then reads, as the restricted principal, exactly the rows whose `region_old` is
 * "eu" (before 2026-11-29 the rows written after the rename were filtered by the new `region`: its "us" rows of
 * region_old were handed out, its "eu" ones withheld), and dropping `region_old` through the catalog is refused naming
 * the policy.
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

const TABLE = '/v1/lake/namespaces/crm/tables/renamed';
const POLICIES = '/management/v1/warehouses/lake/namespaces/crm/tables/renamed/policies';
let minio: Minio;
let server: ServerProcess;
let admin: Send;
let python: string;
let analystRole = '';
const tokens: Record<string, string> = {};

async function runPython(env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_policies.py')], {
    env: {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      S3_ENDPOINT: minio.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      POLICY_TABLE: 'crm.renamed',
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
  ({ minio, server, admin } = await startMinioServer('lakegate-renamed', {}));
  const scope = { type: 'warehouse' as const, warehouse: 'lake' };
  const writer = await createGrantedPrincipal(server, 'renamed-writer', [...READ_WRITE_ALL, 'table:read-data'], scope);
  const analyst = await createGrantedPrincipal(server, 'renamed-analyst', READ_ONLY, scope);
  analystRole = `${analyst.id}-role`;
  for (const [name, p] of Object.entries({ writer, analyst })) tokens[name] = await clientToken(server.url, p.credential);
  const installed = await venv;
  expect(installed.status, installed.stderr).toBe(0);
  python = installed.stdout.trim().split('\n').at(-1)!.trim();
  await runPython({ MODE: 'write-plain', WRITER_TOKEN: tokens.writer! });
}, 10 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

it(
  "keeps filtering the renamed column for PyIceberg's server-side plan, never the new column of the old name",
  async () => {
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: [analystRole], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const [renamed] = await runPython({ MODE: 'rename', WRITER_TOKEN: tokens.writer! });
    expect(renamed!.fields).toEqual([
      [1, 'id'],
      [2, 'region_old'],
      [3, 'email'],
      [4, 'born'],
      [5, 'region'],
    ]);

    const steps = await runPython({ MODE: 'read', READER_TOKENS: JSON.stringify(tokens) });
    const read = Object.fromEntries(steps.map((s) => [String(s.step).slice('read:'.length), s as unknown as { files: string[]; rows: unknown[][] }]));
    const all = read.writer!.rows;
    expect(all).toHaveLength(18);
    // The six rows written after the rename have a new region opposite to their region_old.
    expect(all.slice(12).every((r) => r[4] !== null && r[4] !== r[1])).toBe(true);
    const admitted = all.filter((r) => r[1] === 'eu');
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted.length).toBeLessThan(all.length);
    expect(read.analyst!.rows).toEqual(admitted);
    for (const f of read.analyst!.files) expect(f).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\//);
    expect((await admin('GET', `${POLICIES}/${created.body.id}`)).body.filter).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });

    // Dropping the filtered column through the catalog is refused, naming the policy.
    const md = (await admin('GET', TABLE)).body.metadata;
    const current = md.schemas.find((s: { 'schema-id': number }) => s['schema-id'] === md['current-schema-id']);
    const dropped = await admin('POST', TABLE, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', fields: current.fields.filter((f: { id: number }) => f.id !== 2) } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(dropped.status).toBe(400);
    expect(dropped.body.error.message).toContain(`policy ${created.body.id}`);
  },
  10 * 60_000,
);
