/**
 * Repeated plans of an unchanged table are answered from what was planned once (catalog/planning/plan-cache.ts):
 * each is still its own plan (own id, fetchable result, audit record) with the same files; a new snapshot is seen
 * by the very next plan; a revoked grant refuses the very next plan of a scan whose answer is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal, revoke } from '../support/access.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let location: string;
const T = '/v1/default/namespaces/db/tables';
const plan = (send: Send, body: unknown) => send('POST', `${T}/t/plan`, body);
const paths = (r: { body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> } }) =>
  (r.body['file-scan-tasks'] ?? []).map((t) => t['data-file']['file-path'].split('/').pop()).sort();
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'category', type: 'string', required: false },
  ],
};
let lists = 0;

async function manifest(name: string, seq: number, files: Array<{ name: string; category: string; lo: number }>): Promise<TestManifest> {
  const path = `${location}/metadata/${name}.avro`;
  const entries = files.map((f) => ({
    status: 1 as const,
    snapshotId: 1n,
    sequenceNumber: seq,
    file: {
      path: `${location}/data/${f.name}.parquet`,
      partition: [f.category],
      records: 10,
      longBounds: [[1, f.lo, f.lo + 9]] as Array<[number, number, number]>,
    },
  }));
  const length = await writeManifest(path, ['category'], entries, 0);
  return { path, length, content: 0, sequenceNumber: seq, addedSnapshotId: 1n };
}

/** Commits a snapshot whose (new) manifest list names `manifests`. */
async function commit(manifests: TestManifest[]): Promise<void> {
  const metadata = (await admin('GET', `${T}/t`)).body.metadata;
  const list = `${metadata.location}/metadata/snap-${lists++}.avro`;
  await writeManifestList(list, manifests);
  const c = appendUpdates(metadata, list);
  const res = await admin('POST', `${T}/t`, { requirements: c.requirements, updates: c.updates });
  expect(res.status, stringifyJson(res.body)).toBe(200);
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  const created = await admin('POST', T, {
    name: 't',
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  location = created.body.metadata.location;
  await commit([
    await manifest('m1', 1, [
      { name: 'a1', category: 'a', lo: 0 },
      { name: 'b1', category: 'b', lo: 10 },
    ]),
  ]);
});
afterAll(async () => cat?.close());

describe('repeated plans of an unchanged table', () => {
  it('are each their own plan, with the same files, result and audit record', async () => {
    const first = await plan(admin, { filter: { type: 'lt', term: 'id', value: 100 } });
    const second = await plan(admin, { filter: { type: 'lt', term: 'id', value: 100 } });
    expect(first.status, stringifyJson(first.body)).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body['plan-id']).not.toBe(first.body['plan-id']);
    expect(paths(second)).toEqual(['a1.parquet', 'b1.parquet']);
    expect({ ...second.body, 'plan-id': 'x' }).toEqual({ ...first.body, 'plan-id': 'x' });
    for (const r of [first, second]) {
      // The shared plan store keeps plan tasks, never an inline file list (plan-keeping.ts): they expand to the same files.
      const fetched = await admin('GET', `${T}/t/plan/${r.body['plan-id']}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body.status).toBe('completed');
      const expanded: unknown[] = [];
      for (const token of fetched.body['plan-tasks'] as string[]) {
        const page = await admin('POST', `${T}/t/tasks`, { 'plan-task': token });
        expect(page.status, stringifyJson(page.body)).toBe(200);
        expanded.push(...(page.body['file-scan-tasks'] as unknown[]));
      }
      expect(expanded).toEqual(r.body['file-scan-tasks']);
    }
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=100')).body);
    expect(audit).toContain(first.body['plan-id']);
    expect(audit).toContain(second.body['plan-id']);
  });

  it('see a new snapshot at the very next plan', async () => {
    expect(paths(await plan(admin, {}))).toEqual(['a1.parquet', 'b1.parquet']);
    const m1 = await manifest('m1', 1, [
      { name: 'a1', category: 'a', lo: 0 },
      { name: 'b1', category: 'b', lo: 10 },
    ]);
    await commit([await manifest('m2', 2, [{ name: 'c1', category: 'c', lo: 20 }]), m1]);
    expect(paths(await plan(admin, {}))).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);
  });

  it('refuse a revoked caller at the very next plan', async () => {
    const p = await cat.lakegate.principals.create('repeat-reader');
    const reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
    const table = { type: 'table' as const, warehouse: 'default', namespace: ['db'], name: 't' };
    const role = await grantPrincipal(admin, p.clientId, ['table:read-data'], table);
    expect((await plan(reader, {})).status).toBe(200);
    expect((await plan(reader, {})).status).toBe(200);
    await revoke(admin, role, ['table:read-data'], table);
    expect((await plan(reader, {})).status).toBe(403);
  });
});
