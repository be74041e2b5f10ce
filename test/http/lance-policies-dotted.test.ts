/**
 * A row filter on a Lance table's field whose own name holds a '.' (a struct's field "a.b" reached as "person.a.b", as
 * Iceberg's name index names it; Lance refuses a top-level column holding a '.'), in process on a file warehouse with the real Lance library: the
 * policy API takes it and takes the listed filter back, and the policy-derived dataset a restricted DescribeTable
 * hands out holds only the admitted rows. A name two fields answer to (struct "p"'s field "a.b" beside its struct
 * "a"'s field "b") is a 400 that names both field ids, never one of them picked. Before 2026-11-29 the filter resolver split every name
 * at its dots, so each filter here was a 400 ("cannot find field").
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Field, Int32, Struct, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const policiesOf = (table: string) => `/management/v1/warehouses/default/namespaces/ld/tables/${table}/policies`;
const ROWS = 40;
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;

const regionOf = (i: number) => (i % 7 === 6 ? null : i % 2 === 0 ? 'eu' : 'us');
const personOf = (i: number) => (i % 5 === 4 ? null : { 'a.b': i % 3 === 0 ? 'keep' : 'drop', c: `c${i}` });

/** Creates the Lance table `ld$name` from Arrow columns, as the administrator. */
async function createTable(name: string, columns: Record<string, ReturnType<typeof makeVector>>): Promise<void> {
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/ld%24${name}/create`,
    payload: Buffer.from(tableToIPC(new Table(columns), 'stream')),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
}

/** The ids of the dataset at `location` (a file: URI), read with LanceDB directly, and its rows. */
async function readDataset(location: string): Promise<Array<{ id: number; region: string | null; person: unknown }>> {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    return ((await table.query().toArray()) as Record<string, any>[])
      .map((r) => ({ id: Number(r.id), region: r.region as string | null, person: r.person === null ? null : { ...r.person.toJSON() } }))
      .sort((a, b) => a.id - b.id);
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/ld/create`, {})).status).toBe(200);
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  await createTable('people', {
    id: makeVector(Int32Array.from(ids)),
    region: vectorFromArray(ids.map(regionOf), new Utf8()),
    person: vectorFromArray(ids.map(personOf), new Struct([new Field('a.b', new Utf8(), true), new Field('c', new Utf8(), true)])),
  });
  await createTable('twice', {
    p: vectorFromArray(
      [{ 'a.b': 'dotted', a: { b: 'nested' } }],
      new Struct([new Field('a.b', new Utf8(), true), new Field('a', new Struct([new Field('b', new Utf8(), true)]), true)]),
    ),
  });
  analyst = await signedInPrincipal(cat, 'ld-analyst');
  await grant(admin, 'ld-analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['ld'], name: 'people' });
  await addMember(admin, 'ld-analysts', { kind: 'principal', name: analyst.id });
});
afterAll(async () => cat?.close());

it("filters a Lance table on a struct's field person.a.b (with a plain column); the listed filter is taken back; the derived dataset holds only the admitted rows", async () => {
  const filter = {
    type: 'and',
    left: { type: 'eq', term: 'region', value: 'eu' },
    right: { type: 'eq', term: { type: 'reference', term: 'person.a.b' }, value: 'keep' },
  };
  const created = await admin('POST', policiesOf('people'), { kind: 'row-filter', roles: ['ld-analysts'], filter });
  expect(created.status, stringifyJson(created.body)).toBe(201);
  // Columns by position (id 1, region 2, person 3), then the struct's fields (person.a.b 4, person.c 5).
  expect(created.body['field-ids']).toEqual([2, 4]);
  const listed = (await admin('GET', policiesOf('people'))).body.policies as Array<{ id: string; filter: unknown; version: number }>;
  expect(listed.map((p) => p.filter)).toEqual([filter]);
  const updated = await admin('PUT', `${policiesOf('people')}/${listed[0]!.id}`, {
    roles: ['ld-analysts'],
    filter: listed[0]!.filter,
    version: listed[0]!.version,
  });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);

  const derived = await analyst.send('POST', `${L}/table/ld%24people/describe`, {});
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(/_lakegate\/policy\//);
  const admitted = Array.from({ length: ROWS }, (_, i) => i).filter((i) => regionOf(i) === 'eu' && personOf(i)?.['a.b'] === 'keep');
  expect(admitted.length).toBeGreaterThan(2);
  expect(await readDataset(derived.body.location as string)).toEqual(admitted.map((i) => ({ id: i, region: 'eu', person: personOf(i) })));
});

it('refuses (400, naming both field ids) a filter on a name two fields answer to, and hostile names, storing nothing', async () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['twice', 'p.a.b', /'p\.a\.b' names more than one field \(field id \d+, field id \d+; .*rename one/],
    ['people', 'person.a', /cannot find field 'person\.a'/],
    ['people', 'person."a.b"', /cannot find field/],
    ['people', '`person.a.b`', /cannot find field/],
    ['people', 'person..a.b', /cannot find field/],
    ['people', 'y'.repeat(5000), /at most 1024 characters/],
  ];
  for (const [table, term, message] of refused) {
    const before = (await admin('GET', policiesOf(table))).body.policies;
    const res = await admin('POST', policiesOf(table), { kind: 'row-filter', roles: ['ld-analysts'], filter: { type: 'eq', term, value: 'x' } });
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(res.body.error ?? res.body, String(term).slice(0, 40)).toMatchObject({ message: expect.stringMatching(message) });
    expect((await admin('GET', policiesOf(table))).body.policies).toEqual(before);
  }
});
