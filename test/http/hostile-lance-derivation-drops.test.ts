/**
 * Restricted reads of a Lance table (a row filter derives a dataset for the reader) racing a drop of the table, and
 * the table replaced under its name right after, in process on a file warehouse and SQLite with the real LanceDB
 * deriver. Each read is answered 200 (a dataset derived from the table it found) or the table's 404 code 4, never a
 * 5xx; once the reads have settled no derivation intent is left, the dropped table's location holds nothing (what a
 * derivation wrote there after the purge is deleted when it finds its table gone), and a read of the new table under
 * the name is answered a dataset of the new table only, with the new table's rows. Guards: no defect found here.
 */
import path from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let adminToken = '';

const ipc = (ids: number[]) =>
  Buffer.from(
    tableToIPC(
      new Table({
        id: makeVector(Int32Array.from(ids)),
        region: vectorFromArray(
          ids.map((i) => (i % 2 === 0 ? 'us' : 'eu')),
          new Utf8(),
        ),
      }),
      'stream',
    ),
  );

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    : [];

async function create(name: string, ids: number[]): Promise<string> {
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/hd%24${name}/create`,
    payload: ipc(ids),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${adminToken}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  const policy = await admin('POST', `/management/v1/warehouses/default/namespaces/hd/tables/${name}/policies`, {
    kind: 'row-filter',
    roles: ['hd-analysts'],
    filter: { type: 'eq', term: 'region', value: 'eu' },
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
  return fileURLToPath((created.json().location as string).replace(/\/+$/, ''));
}

/** The ids a derived dataset holds, read with LanceDB at its location. */
async function idsAt(location: string): Promise<number[]> {
  const db = await lancedb.connect(path.dirname(fileURLToPath(location.replace(/\/+$/, ''))));
  const t = await db.openTable(path.basename(location.replace(/\/+$/, '')).replace(/\.lance$/, ''));
  try {
    return ((await t.query().toArray()) as Array<{ id: number }>).map((r) => r.id).sort((a, b) => a - b);
  } finally {
    t.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  const a = cat.admin();
  adminToken = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await admin('POST', `${L}/namespace/hd/create`, {})).status).toBe(200);
  analyst = await signedInPrincipal(cat, 'hd-analyst');
  await grant(admin, 'hd-analysts', ['table:read-data'], { type: 'namespace', warehouse: 'default', namespace: ['hd'] });
  await addMember(admin, 'hd-analysts', { kind: 'principal', name: analyst.id });
}, 120_000);
afterAll(async () => cat?.close());

it('answers restricted reads racing a drop and a replacement with 200 or 404 code 4, and leaves nothing behind', async () => {
  for (let round = 0; round < 3; round++) {
    const name = `t${round}`;
    const dir = await create(name, [1, 2, 3, 4, 5, 6]);
    const describe = () => analyst.send('POST', `${L}/table/hd%24${name}/describe`, {});
    const answers = await Promise.all([describe(), describe(), admin('POST', `${L}/table/hd%24${name}/drop`, {}), describe(), describe()]);
    expect(answers[2]!.status, stringifyJson(answers[2]!.body)).toBe(200);
    for (const [i, r] of answers.entries()) {
      if (i === 2) continue;
      expect(r.status === 200 ? '200' : `${r.status}:${r.body?.code}`, `round ${round} read ${i}: ${stringifyJson(r.body).slice(0, 200)}`).toMatch(
        /^(200|404:4)$/,
      );
      if (r.status === 200) expect(r.body.location).toMatch(/_lakegate\/policy\//);
    }
    // Settled: no intent left, and nothing in the dropped table's location.
    await cat.lakegate.services.lance.tables.policyPreparer.idle();
    await expect.poll(async () => (await cat.lakegate.store.derivationIntents.pending(Number.MAX_SAFE_INTEGER, 100)).length).toBe(0);
    await expect.poll(() => filesUnder(dir)).toEqual([]);

    // Replaced under its name: the reader is answered a dataset of the new table, its rows only.
    const replaced = await create(name, [101, 102, 103]);
    expect(replaced).not.toBe(dir);
    const read = await describe();
    expect(read.status, stringifyJson(read.body)).toBe(200);
    expect(fileURLToPath(read.body.location as string).startsWith(replaced)).toBe(true);
    expect(await idsAt(read.body.location as string)).toEqual([101, 103]);
    expect((await admin('POST', `${L}/table/hd%24${name}/drop`, {})).status).toBe(200);
  }
}, 240_000);
