/**
 * A row filter naming a field whose own name holds a '.' (a column "x.y", a struct's field "a.b" reached as
 * "person.a.b", as Iceberg's name index names them), in process on a table with one Parquet file: the policy API takes
 * it, lists it and takes the listed filter back; a restricted plan's residual carries it and its policy-enforced file
 * holds only the admitted rows; Trino's row filter quotes each name as one identifier ("x.y", "person"."a.b"). Before
 * 2026-11-29 the filter resolver split every name at its dots, so each of these was a 400 ("cannot find field").
 * Malformed and hostile names stay 400s in the Iceberg error model, never a 500.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import { grant } from '../support/access.js';
import { askOpa, engineWithKey } from '../support/engines.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, injectSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { contactRows } from '../support/policy-contacts.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let analyst: Send;
let engineKey = '';
const TABLE = '/v1/default/namespaces/crm/tables/dotted';
const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/dotted/policies';
const dottedTable = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'dotted' };

// Ids as a create assigns them: top-level columns first, then the struct's fields.
const SCHEMA = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'x.y', type: 'string', required: false },
    {
      id: 3,
      name: 'person',
      type: {
        type: 'struct',
        fields: [
          { id: 4, name: 'a.b', type: 'string', required: false },
          { id: 5, name: 'c', type: 'string', required: false },
        ],
      },
      required: false,
    },
  ],
};
interface Row {
  id: bigint;
  'x.y': string | null;
  person: { 'a.b': string | null; c: string | null } | null;
}
const ROWS: Row[] = [
  { id: 1n, 'x.y': 'eu', person: { 'a.b': 'keep', c: 'one' } },
  { id: 2n, 'x.y': 'us', person: { 'a.b': 'keep', c: 'two' } },
  { id: 3n, 'x.y': 'eu', person: { 'a.b': 'drop', c: 'three' } },
  { id: 4n, 'x.y': null, person: null },
  { id: 5n, 'x.y': 'eu', person: { 'a.b': null, c: 'five' } },
];

const labelled = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

/** One Parquet file of ROWS, every field labelled with its field id (as Iceberg writers label them). */
async function writeRows(uri: string): Promise<void> {
  const fields = [
    labelled('id', new Int64(), 1, false),
    labelled('x.y', new Utf8(), 2),
    labelled('person', new Struct([labelled('a.b', new Utf8(), 4), labelled('c', new Utf8(), 5)]), 3),
  ];
  const columns: unknown[][] = [ROWS.map((r) => r.id), ROWS.map((r) => r['x.y']), ROWS.map((r) => r.person)];
  const children = columns.map((values, i) => vectorFromArray(values, fields[i]!.type).data[0]!);
  const schema = new Schema(fields);
  await writeParquet(
    fileURLToPath(uri),
    one(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ROWS.length, nullCount: 0, children }))),
  );
}

const icebergError = (res: { status: number; body: any }, message: RegExp, label: string) => {
  expect(res.status, `${label}: ${stringifyJson(res.body).slice(0, 300)}`).toBe(400);
  expect(res.body.error, label).toMatchObject({ code: 400, type: expect.any(String), message: expect.stringMatching(message) });
};

const clearPolicies = async () => {
  for (const p of (await admin('GET', POLICIES)).body.policies as { id: string }[]) expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
};

/** The ids of the rows the analyst's plan hands out, and the plan's residual filters. */
const planned = async () => {
  const res = await analyst('POST', `${TABLE}/plan`, {});
  expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(200);
  const rows = (await contactRows(res.body)) as unknown as Row[];
  const residuals = (res.body['file-scan-tasks'] as Array<{ 'residual-filter'?: unknown }>).map((t) => t['residual-filter']);
  return { ids: rows.map((r) => Number(r.id)), rows, residuals };
};

const trinoRowFilter = () =>
  askOpa(injectSender(cat.lakegate.app), engineKey, 'row-filters', 'ann', {
    operation: 'GetRowFilters',
    resource: { table: { catalogName: 'default', schemaName: 'crm', tableName: 'dotted' } },
  });

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', { name: 'dotted', schema: SCHEMA, properties: { 'format-version': '2' } });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const data = `${location}/data/dotted.parquet`;
  mkdirSync(path.dirname(fileURLToPath(data)), { recursive: true });
  await writeRows(data);
  const manifest = `${location}/metadata/m.avro`;
  const length = await writeManifest(
    manifest,
    [],
    [{ status: 1, snapshotId: 1n, sequenceNumber: 1, file: { path: data, partition: [], records: ROWS.length } }],
  );
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }]);
  const c = appendUpdates((await admin('GET', TABLE)).body.metadata, list);
  expect((await admin('POST', TABLE, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], dottedTable);
  const p = await cat.lakegate.principals.create('analyst');
  expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
  analyst = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
  // Trino, a declared enforcer acting for user ann (an analyst).
  const engine = await engineWithKey(admin, 'trino', { users: [{ issuer: 'asserted', name: 'ann' }], 'assert-identity': true });
  engineKey = engine.key;
  const declared = await admin('PUT', `/management/v1/warehouses/default/policy-enforcers/${engine.clientId}`, {
    mechanism: 'trino-opa',
    'trino-catalog': 'default',
  });
  expect(declared.status).toBe(200);
  expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'user', name: 'ann', issuer: 'asserted' })).status).toBeLessThan(300);
});
afterAll(async () => cat?.close());

describe("row filters on fields whose names hold a '.'", () => {
  it("takes a filter on a struct's field person.a.b, lists it, takes the listed filter back, and enforces it in the plan and for Trino", async () => {
    const filter = { type: 'eq', term: 'person.a.b', value: 'keep' };
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body['field-ids']).toEqual([4]);
    const listed = (await admin('GET', POLICIES)).body.policies as Array<{ id: string; filter: unknown; version: number }>;
    expect(listed.map((p) => p.filter)).toEqual([filter]);
    // The listed filter posted back: as an update of the policy, and as a new policy.
    const updated = await admin('PUT', `${POLICIES}/${listed[0]!.id}`, { roles: ['analysts'], filter: listed[0]!.filter, version: listed[0]!.version });
    expect(updated.status, stringifyJson(updated.body)).toBe(200);
    const again = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: listed[0]!.filter });
    expect(again.status, stringifyJson(again.body)).toBe(201);
    expect((await admin('DELETE', `${POLICIES}/${again.body.id}`)).status).toBe(204);

    const { ids, rows, residuals } = await planned();
    expect(ids).toEqual([1, 2]);
    expect(rows.map((r) => r.person)).toEqual([
      { 'a.b': 'keep', c: 'one' },
      { 'a.b': 'keep', c: 'two' },
    ]);
    expect(residuals).toEqual([filter]);
    expect(await trinoRowFilter()).toEqual([{ expression: `("person"."a.b" = 'keep')` }]);
  });

  it('enforces a filter on a top-level column x.y, with a struct field in the same expression, in the plan and for Trino', async () => {
    await clearPolicies();
    const filter = {
      type: 'and',
      left: { type: 'eq', term: 'x.y', value: 'eu' },
      right: { type: 'not-null', term: { type: 'reference', term: 'person.a.b' } },
    };
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body['field-ids']).toEqual([2, 4]);
    const { ids, residuals } = await planned();
    expect(ids).toEqual([1, 3]);
    expect(residuals).toEqual([filter]);
    expect(await trinoRowFilter()).toEqual([{ expression: `(("x.y" = 'eu') AND ("person"."a.b" IS NOT NULL))` }]);
    // The caller's own scan filter on the dotted field is bound too, and its residual is ANDed with the policy's.
    const mine = { type: 'eq', term: 'person.a.b', value: 'drop' };
    const own = await analyst('POST', `${TABLE}/plan`, { filter: mine });
    expect(own.status, stringifyJson(own.body).slice(0, 300)).toBe(200);
    expect(((await contactRows(own.body)) as unknown as Row[]).map((r) => Number(r.id))).toEqual([1, 3]);
    expect(own.body['file-scan-tasks'].map((t: { 'residual-filter': unknown }) => t['residual-filter'])).toEqual([{ type: 'and', left: mine, right: filter }]);
  });

  it.each([
    ['half of a dotted name', 'person.a', /cannot find field 'person\.a'/],
    ['a dotted column cut short', 'x', /cannot find field 'x'/],
    ['an empty segment', 'person..c', /cannot find field 'person\.\.c'/],
    ['a trailing dot', 'x.y.', /cannot find field/],
    ['a lone dot', '.', /cannot find field/],
    ['a double-quoted name', '"x.y"', /cannot find field/],
    ['a double-quoted segment', 'person."a.b"', /cannot find field/],
    ['a backticked name', '`x.y`', /cannot find field/],
    ['a NUL', 'x.y\u0000', /cannot find field/],
    ['a name over 1024 characters', 'x.'.repeat(50_000), /at most 1024 characters/],
    ['a case-changed name', 'X.Y', /cannot find field 'X\.Y'/],
  ])('refuses a row filter on %s (400, nothing stored)', async (label, term, message) => {
    await clearPolicies();
    icebergError(await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term, value: 'x' } }), message, label);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });
});
