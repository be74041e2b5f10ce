/**
 * The DuckDB engine of policy-enforced files end to end (LAKEGATE_POLICY_FILE_ENGINE=duckdb,
 * policy-files/duckdb-rewriter.ts): a restricted caller's plan of a table of optional columns names files DuckDB wrote
 * (its name in the Parquet footer's created_by), holding the admitted rows with their masks applied, read back here
 * and compared with the source rows filtered and masked by the test itself; a data file with a delete file is still
 * derived, by the Parquet rewriter.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { EU, MASKS, type Person, POLICIES, TABLE, masked, plan, planRows, writePositionDeletes, writeRows } from '../support/policy-people.js';

const DAY = 86_400_000;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'email', type: 'string', required: false },
    { id: 4, name: 'born', type: 'date', required: false },
  ],
};

describe('policy-enforced files written by DuckDB (policyFileEngine duckdb)', () => {
  let cat: TestCatalog;
  let admin: Send;
  let analyst: Send;
  const files: Record<string, Person[]> = {};
  let location: string;
  const d = (name: string) => `${location}/data/${name}.parquet`;

  beforeAll(async () => {
    cat = await startInProcess({ LAKEGATE_POLICY_FILE_ENGINE: 'duckdb', LAKEGATE_PLANNING_PREPARE_POLICY_FILES: 'false' }, { auth: true });
    admin = await signInAdmin(cat);
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
    const created = await admin('POST', '/v1/default/namespaces/crm/tables', {
      name: 'people',
      schema,
      'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
      properties: { 'format-version': '2' },
    });
    expect(created.status, stringifyJson(created.body)).toBe(200);
    location = created.body.metadata.location;
    let next = 0;
    const person = (region: string): Person => {
      const id = BigInt(next++);
      return { id, region, email: id % 5n === 4n ? null : `Üser${id}@Mail${id % 3n}.com`, born: Date.UTC(1980, 0, 1) + Number(id) * 97 * DAY };
    };
    files['eu-1'] = Array.from({ length: 40 }, () => person('eu'));
    files['us-1'] = Array.from({ length: 5 }, () => person('us'));
    files['eu-2'] = Array.from({ length: 6 }, () => person('eu'));
    mkdirSync(path.dirname(fileURLToPath(d('x'))), { recursive: true });
    for (const [name, rows] of Object.entries(files)) await writeRows(d(name), rows, { optionalIds: true });
    await writePositionDeletes(d('eu-2-deletes'), d('eu-2'), [1]);
    const m = (name: string) => `${location}/metadata/${name}.avro`;
    const entries = Object.entries(files).map(([name, rows]) => ({
      status: 1 as const,
      snapshotId: 1n,
      sequenceNumber: 1,
      file: {
        path: d(name),
        partition: [rows[0]!.region],
        records: rows.length,
        longBounds: [[1, Number(rows[0]!.id), Number(rows.at(-1)!.id)] as [number, number, number]],
      },
    }));
    const dataLength = await writeManifest(m('data'), ['region'], entries);
    const deleteEntry = {
      status: 1 as const,
      snapshotId: 1n,
      sequenceNumber: 1,
      file: { path: d('eu-2-deletes'), content: 1 as const, partition: ['eu'], records: 1, referencedDataFile: d('eu-2') },
    };
    const deleteLength = await writeManifest(m('deletes'), ['region'], [deleteEntry], 1);
    const list = `${location}/metadata/snap-1.avro`;
    await writeManifestList(list, [
      { path: m('data'), length: dataLength, content: 0, sequenceNumber: 1, addedSnapshotId: 1n },
      { path: m('deletes'), length: deleteLength, content: 1, sequenceNumber: 1, addedSnapshotId: 1n },
    ]);
    const c = appendUpdates((await admin('GET', TABLE)).body.metadata, list);
    expect((await admin('POST', TABLE, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
    await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crm'], name: 'people' });
    const p = await cat.lakegate.principals.create('analyst-member');
    expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
    analyst = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
    for (const policy of [EU, MASKS]) expect((await admin('POST', POLICIES, policy)).status).toBe(201);
  });
  afterAll(async () => {
    await cat?.close();
  });

  it('answers the admitted rows, masked, in a file DuckDB wrote; the file with a delete file by the Parquet rewriter', async () => {
    const body = await plan(analyst);
    const tasks = body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string; 'record-count': number } }>;
    expect(tasks).toHaveLength(2);
    const live = [...files['eu-1']!, ...files['eu-2']!.filter((_, i) => i !== 1)];
    expect(await planRows(body)).toEqual(masked(live));
    const writers = tasks
      .map((t) => [t['data-file']['record-count'], readFileSync(fileURLToPath(t['data-file']['file-path'])).toString('latin1').includes('DuckDB')] as const)
      .sort((a, b) => a[0] - b[0]);
    // eu-2 (5 live rows, a position delete): the Parquet rewriter; eu-1 (40 rows, no delete file): DuckDB.
    expect(writers).toEqual([
      [5, false],
      [40, true],
    ]);
  });
});
