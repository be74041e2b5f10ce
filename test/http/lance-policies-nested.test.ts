/**
 * Row-filter and column-mask policies naming a Lance table's nested and dictionary-encoded columns (in process on a
 * file warehouse, with the real Lance library): a struct's field named by its dotted path or field id (as the Iceberg
 * path names nested fields) is filtered on and masked inside its struct, its siblings and the struct's own nulls kept;
 * a dictionary-encoded column is filtered and masked as its values' type; a list (vector) column is nulled whole by
 * `replace-with-null` and refused (400, saying why) to a filter and to any other mask. The table has several thousand
 * rows, so the derivation reads several batches (each with its own dictionary: before 2026-11-28 a chunk of them
 * failed to write). Plain columns: lance-policies.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Dictionary, Field, Float32, FixedSizeList, Int32, Struct, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createLanceTable, expectRefused } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/ln/tables/people/policies';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['ln'], name: 'people' };
const ROWS = 3000;
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;

const ctx = { querySalt: new Uint8Array(32) };
const tierOf = (i: number) => (i % 10 === 9 ? null : i % 3 === 0 ? 'gold' : 'free');
const personOf = (i: number) => (i % 5 === 4 ? null : { name: `n${i}`, email: i % 11 === 10 ? null : `p${i}@example.org` });
const describeAs = (send: Send) => send('POST', `${L}/table/ln%24people/describe`, {});

interface Row {
  id: number;
  tier: string | null;
  person: { name: string | null; email: string | null } | null;
  vector: number[] | null;
}

/** The dataset at `location` (a file: URI) read with LanceDB directly: its rows by id, and its schema's types. */
async function readDataset(location: string): Promise<{ rows: Row[]; types: Record<string, string>; search: unknown }> {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    const types = Object.fromEntries((await table.schema()).fields.map((f) => [f.name, String(f.type)]));
    const rows = ((await table.query().toArray()) as Record<string, unknown>[])
      .map((r) => {
        const person = r.person as { name: string | null; email: string | null } | null;
        const vector = r.vector as ArrayLike<number> | null;
        return {
          id: Number(r.id),
          tier: r.tier as string | null,
          person: person === null ? null : { name: person.name, email: person.email },
          vector: vector === null ? null : Array.from(vector),
        };
      })
      .sort((a, b) => a.id - b.id);
    // A vector search of the derived dataset, whose vectors are all null: what LanceDB answers (rows or its own error).
    const search = await table
      .search([1, 2])
      .limit(3)
      .toArray()
      .then((found: unknown[]) => ({ rows: found.length }))
      .catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
    return { rows, types, search };
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/ln/create`, {})).status).toBe(200);
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  const ipc = tableToIPC(
    new Table({
      id: makeVector(Int32Array.from(ids)),
      tier: vectorFromArray(ids.map(tierOf), new Dictionary(new Utf8(), new Int32())),
      person: vectorFromArray(ids.map(personOf), new Struct([new Field('name', new Utf8(), true), new Field('email', new Utf8(), true)])),
      vector: vectorFromArray(
        ids.map((i) => [i, -i]),
        new FixedSizeList(2, new Field('item', new Float32(), true)),
      ),
    }),
    'stream',
  );
  await createLanceTable(cat, { namespace: 'ln', name: 'people' }, ipc);
  analyst = await signedInPrincipal(cat, 'ln-analyst');
  await grant(admin, 'ln-analysts', ['table:read-data'], people);
  await addMember(admin, 'ln-analysts', { kind: 'principal', name: analyst.id });
});
afterAll(async () => cat?.close());

it('refuses (400, saying why, nothing stored) a filter on a list (vector) column and any mask of it but replace-with-null', async () => {
  const refused = [
    [{ kind: 'row-filter', roles: ['ln-analysts'], filter: { type: 'is-null', term: 'vector' } }, /vector.*is a list \(a vector\).*never a list's elements/],
    [{ kind: 'column-mask', roles: ['ln-analysts'], masks: [{ column: 'vector', action: 'sha-256-global' }] }, /by replace-with-null only/],
    [{ kind: 'column-mask', roles: ['ln-analysts'], masks: [{ column: 'vector', action: 'mask-to-fixed-value', value: 'x' }] }, /by replace-with-null only/],
    // A whole struct is masked field by field; a field that is not there is a 400 as a top-level column is.
    [{ kind: 'column-mask', roles: ['ln-analysts'], masks: [{ column: 'person', action: 'replace-with-null' }] }, /not of a primitive type/],
    [{ kind: 'row-filter', roles: ['ln-analysts'], filter: { type: 'eq', term: 'person.phone', value: 'x' } }, /cannot find field 'person.phone'/],
    [{ kind: 'row-filter', roles: ['ln-analysts'], filter: { type: 'eq', term: 'tier', value: 3 } }, /not a valid string literal/],
  ] as const;
  await expectRefused(admin, POLICIES, refused);
});

it("filters on a struct's field and a dictionary-encoded column, masks a field inside its struct, the dictionary column and the vector, as the Iceberg path masks", async () => {
  const filter = await admin('POST', POLICIES, {
    kind: 'row-filter',
    roles: ['ln-analysts'],
    filter: { type: 'and', left: { type: 'eq', term: 'tier', value: 'gold' }, right: { type: 'starts-with', term: 'person.name', value: 'n' } },
  });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  // Struct fields are numbered after the four top-level columns: person.name 5, person.email 6.
  expect(filter.body['field-ids']).toEqual([2, 5]);
  const mask = await admin('POST', POLICIES, {
    kind: 'column-mask',
    roles: ['ln-analysts'],
    masks: [
      { 'field-id': 6, action: 'sha-256-global' },
      { column: 'tier', action: 'mask-alphanum' },
      { column: 'vector', action: 'replace-with-null' },
    ],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  expect((mask.body.masks as { column: string }[]).map((m) => m.column)).toEqual(['person.email', 'tier', 'vector']);

  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(/_lakegate\/policy\/.*\/lance-v\d+-[0-9a-f-]+\.lance$/);
  const { rows, types, search } = await readDataset(derived.body.location as string);
  // Admitted: gold tier (not null) and a person whose name starts with n (a null person's name is null: not admitted).
  const admitted = Array.from({ length: ROWS }, (_, i) => i).filter((i) => tierOf(i) === 'gold' && personOf(i) !== null);
  expect(admitted.length).toBeGreaterThan(100);
  expect(rows).toEqual(
    admitted.map((i) => {
      const person = personOf(i)!;
      return {
        id: i,
        tier: maskValue('mask-alphanum', 'gold', ctx),
        // The masked field as the Iceberg path's sha-256-global gives it; its sibling as stored.
        person: { name: person.name, email: person.email === null ? null : maskValue('sha-256-global', person.email, ctx) },
        vector: null,
      };
    }),
  );
  expect(rows.some((r) => r.person?.email === null)).toBe(true);
  // The dictionary column is written as its values' type; the struct and the vector keep theirs.
  expect(types).toEqual({ id: 'Int32', tier: 'Utf8', person: 'Struct<{name:Utf8, email:Utf8}>', vector: 'FixedSizeList[2]<Float32>' });
  // A vector search of the nulled vectors (LanceDB's own, on the files: the catalog is not asked) finds nothing.
  expect(search).toEqual({ rows: 0 });
});

it('masks a struct field inside null structs without showing the struct, every other column copied as stored', async () => {
  for (const p of (await admin('GET', POLICIES)).body.policies as { id: string }[]) expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
  const mask = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['ln-analysts'], masks: [{ column: 'person.name', action: 'show-first-4' }] });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  const { rows } = await readDataset(derived.body.location as string);
  expect(rows).toHaveLength(ROWS);
  expect(rows).toEqual(
    Array.from({ length: ROWS }, (_, i) => {
      const person = personOf(i);
      return {
        id: i,
        tier: tierOf(i),
        person: person === null ? null : { name: maskValue('show-first-4', person.name, ctx), email: person.email },
        vector: [i, -i],
      };
    }),
  );
});

it('derives a table whose dictionary-encoded column no policy names over many batches, written as its values (once refused: "replacement dictionaries")', async () => {
  for (const p of (await admin('GET', POLICIES)).body.policies as { id: string }[]) expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
  const filter = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['ln-analysts'], filter: { type: 'lt', term: 'id', value: 2500 } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  const { rows, types } = await readDataset(derived.body.location as string);
  expect(types.tier).toBe('Utf8');
  expect(rows.map((r) => [r.id, r.tier])).toEqual(Array.from({ length: 2500 }, (_, i) => [i, tierOf(i)]));
});
