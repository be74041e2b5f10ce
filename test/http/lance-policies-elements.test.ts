/**
 * Column masks naming a Lance table's list elements (in process on a file warehouse, with the real Lance library), as
 * the Iceberg path names and masks them: a `list<string>`'s `tags.element`, a list of structs' field
 * (`people.element.email`, by field id), a list inside a struct (`info.labels.element`), a list of lists'
 * `matrix.element.element` and a whole inner list (`matrix.element`, replace-with-null). The action applies to every
 * element; the lists' own nulls, empty lists and null elements are written as stored. Refused (400, saying why): a
 * string action on a non-string element, replace-with-null on a non-nullable element, a row filter naming an element,
 * a vector's elements one by one, a list of structs' whole element. Before 2026-11-29 every such mask was a 400
 * ("a Lance table's lists are masked whole"). Several thousand rows: the derivation reads several batches.
 */
import { Field, Float32, FixedSizeList, Int32, List, Struct, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createLanceTable, expectRefused, readTableAs } from '../support/lance-policy-tables.js';
import { signInAdmin, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/le/tables/lists/policies';
const lists = { type: 'table' as const, warehouse: 'default', namespace: ['le'], name: 'lists' };
const ROWS = 2500;
let cat: TestCatalog;
let admin: Send;
let alice: Caller;
let aliceToken = '';
let bobToken = '';
let url = '';

const ctx = { querySalt: new Uint8Array(32) };
type Person = { name: string; email: string | null } | null;
const tagsOf = (i: number) => (i % 7 === 6 ? null : i % 7 === 5 ? [] : [`Tag${i}-a`, i % 3 === 0 ? null : `t${i}@x.org`]);
const peopleOf = (i: number): Person[] | null =>
  i % 9 === 8 ? null : [{ name: `n${i}`, email: i % 4 === 0 ? null : `p${i}@example.org` }, ...(i % 5 === 0 ? [null] : [])];
const infoOf = (i: number) => (i % 6 === 5 ? null : { labels: i % 4 === 1 ? null : [`L${i}`, 'abc-12'], scores: [i, i + 1] });
const matrixOf = (i: number) => (i % 8 === 7 ? null : [[`m${i}`, null], [], null]);
const numsOf = (i: number) => [i, i % 2 === 0 ? null : -i];
const codesOf = (i: number) => [`c${i}`];

/** A value LanceDB answers (Arrow vectors, struct rows, bigints) as plain JSON-like values. */
const plain = (v: unknown): unknown => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return plain((v as { toJSON(): unknown }).toJSON());
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

/** The table read with LanceDB through Lakegate's Lance namespace as the holder of `token`: its rows by id. */
const readAs = (token: string) => readTableAs(url, token, { namespace: 'le', name: 'lists' }, plain);

const original = (i: number) => ({
  id: i,
  tags: tagsOf(i),
  people: peopleOf(i),
  info: infoOf(i),
  matrix: matrixOf(i),
  nums: numsOf(i),
  codes: codesOf(i),
  vector: [i, -i],
});
const describeAs = (send: Send) => send('POST', `${L}/table/le%24lists/describe`, {});
const clearPolicies = async () => {
  for (const p of (await admin('GET', POLICIES)).body.policies as { id: string }[]) expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  expect((await admin('POST', `${L}/namespace/le/create`, {})).status).toBe(200);
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  const utf8List = () => new List(new Field('item', new Utf8(), true));
  const ipc = tableToIPC(
    new Table({
      id: makeVector(Int32Array.from(ids)),
      tags: vectorFromArray(ids.map(tagsOf), utf8List()),
      people: vectorFromArray(
        ids.map(peopleOf),
        new List(new Field('item', new Struct([new Field('name', new Utf8(), true), new Field('email', new Utf8(), true)]), true)),
      ),
      info: vectorFromArray(
        ids.map(infoOf),
        new Struct([new Field('labels', utf8List(), true), new Field('scores', new List(new Field('item', new Int32(), true)), true)]),
      ),
      matrix: vectorFromArray(ids.map(matrixOf), new List(new Field('item', utf8List(), true))),
      nums: vectorFromArray(ids.map(numsOf), new List(new Field('item', new Int32(), true))),
      codes: vectorFromArray(ids.map(codesOf), new List(new Field('item', new Utf8(), false))),
      vector: vectorFromArray(
        ids.map((i) => [i, -i]),
        new FixedSizeList(2, new Field('item', new Float32(), true)),
      ),
    }),
    'stream',
  );
  await createLanceTable(cat, { namespace: 'le', name: 'lists' }, ipc);
  // Alice a policy binds (through her role), Bob none: both may read the table.
  const aliceP = await cat.lakegate.principals.create('le-alice');
  aliceToken = await tokenOf(cat.lakegate.app, aliceP.clientId, aliceP.clientSecret);
  alice = { id: aliceP.clientId, send: bearerSender(cat.lakegate.app, aliceToken), signIn: async () => bearerSender(cat.lakegate.app, aliceToken) };
  const bob = await cat.lakegate.principals.create('le-bob');
  bobToken = await tokenOf(cat.lakegate.app, bob.clientId, bob.clientSecret);
  await grant(admin, 'le-analysts', ['table:read-data'], lists);
  await grant(admin, 'le-readers', ['table:read-data'], lists);
  await addMember(admin, 'le-analysts', { kind: 'principal', name: alice.id });
  await addMember(admin, 'le-readers', { kind: 'principal', name: bob.clientId });
});
afterAll(async () => cat?.close());

it("refuses (400, saying why, nothing stored) masks an element's type does not take, and a row filter naming an element", async () => {
  const mask = (m: Record<string, unknown>) => ({ kind: 'column-mask', roles: ['le-analysts'], masks: [m] });
  const filter = (term: string) => ({ kind: 'row-filter', roles: ['le-analysts'], filter: { type: 'eq', term, value: 'x' } });
  const refused = [
    [mask({ column: 'nums.element', action: 'sha-256-global' }), /sha-256-global applies to string columns, not to 'nums.element' \(int\)/],
    [mask({ column: 'codes.element', action: 'replace-with-null' }), /replace-with-null cannot apply to the required list's element 'codes.element'/],
    [mask({ column: 'tags.element', action: 'mask-to-fixed-value', value: 3 }), /not a valid string value for 'tags.element'/],
    [filter('tags.element'), /'tags' is a list, holding many values a row; a row filter compares one value a row/],
    [filter('people.element.email'), /'people' is a list, holding many values a row/],
    [
      mask({ column: 'vector.element', action: 'replace-with-null' }),
      /'vector.element' cannot be masked one by one: the elements of a fixed-size list \(a vector\)/,
    ],
    [mask({ column: 'people.element', action: 'replace-with-null' }), /list's element 'people.element' is not of a primitive type/],
    [mask({ column: 'tags', action: 'show-first-4' }), /replace-with-null only.*mask its elements as 'tags.element'/],
    [mask({ column: 'matrix.element', action: 'show-first-4' }), /'matrix.element', a list \(list's element\).*replace-with-null only/],
    [mask({ column: 'tags.element.x', action: 'show-first-4' }), /cannot find column 'tags.element.x'/],
  ] as const;
  await expectRefused(admin, POLICIES, refused);
});

it("masks every element of a list, a list of structs' field, a list in a struct and a list of lists', as the Iceberg path's functions; nulls, empty lists and null elements as stored", async () => {
  const filter = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['le-analysts'], filter: { type: 'lt', term: 'id', value: 2000 } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  const mask = await admin('POST', POLICIES, {
    kind: 'column-mask',
    roles: ['le-analysts'],
    masks: [
      { column: 'tags.element', action: 'show-first-4' },
      // Field ids: the 8 columns, then tags.element 9, people.element 10 (name 11, email 12), info.labels 13 ...
      { 'field-id': 12, action: 'sha-256-global' },
      { column: 'info.labels.element', action: 'mask-alphanum' },
      { column: 'matrix.element.element', action: 'mask-to-fixed-value', value: 'x' },
      { column: 'nums.element', action: 'replace-with-null' },
    ],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  expect((mask.body.masks as { column: string }[]).map((m) => m.column)).toEqual([
    'tags.element',
    'people.element.email',
    'info.labels.element',
    'matrix.element.element',
    'nums.element',
  ]);

  // Bob (no policy binds him) reads the table as written.
  expect(await readAs(bobToken)).toEqual(Array.from({ length: ROWS }, (_, i) => original(i)));

  const derived = await describeAs(alice.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(/_lakegate\/policy\/.*\/lance-v\d+-[0-9a-f-]+\.lance$/);
  const m = (action: Parameters<typeof maskValue>[0], v: unknown, value?: unknown) => maskValue(action, v, ctx, value);
  const expected = Array.from({ length: 2000 }, (_, i) => {
    const row = original(i);
    return {
      ...row,
      tags: row.tags?.map((t) => m('show-first-4', t)) ?? null,
      people: row.people?.map((p) => (p === null ? null : { name: p.name, email: m('sha-256-global', p.email) })) ?? null,
      info: row.info === null ? null : { labels: row.info.labels?.map((l) => m('mask-alphanum', l)) ?? null, scores: row.info.scores },
      matrix: row.matrix?.map((inner) => inner?.map((v) => m('mask-to-fixed-value', v, 'x')) ?? null) ?? null,
      nums: row.nums.map(() => null),
    };
  });
  const rows = await readAs(aliceToken);
  expect(rows).toEqual(expected);
  // What the data holds: null lists, empty lists and null elements kept, masked values that differ from the stored.
  expect(rows[5]!.tags).toEqual([]);
  expect(rows[6]!.tags).toBeNull();
  expect(rows[0]!.tags).toEqual(['Tag0xx', null]);
  expect(rows[1]!.people).toEqual([{ name: 'n1', email: m('sha-256-global', 'p1@example.org') }]);
  expect(rows[0]!.people).toEqual([{ name: 'n0', email: null }, null]);
  expect(rows[0]!.matrix).toEqual([['x', 'x'], [], null]);
});

it("nulls a list that is a list's element (replace-with-null on matrix.element), and masks by field id a list of structs' other field", async () => {
  await clearPolicies();
  const mask = await admin('POST', POLICIES, {
    kind: 'column-mask',
    roles: ['le-analysts'],
    masks: [
      { 'field-id': 17, action: 'replace-with-null' },
      { column: 'people.element.name', action: 'show-last-4' },
    ],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  expect((mask.body.masks as { column: string }[]).map((x) => x.column)).toEqual(['matrix.element', 'people.element.name']);
  const derived = await describeAs(alice.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  const rows = await readAs(aliceToken);
  expect(rows).toEqual(
    Array.from({ length: ROWS }, (_, i) => {
      const row = original(i);
      return {
        ...row,
        matrix: row.matrix?.map(() => null) ?? null,
        people: row.people?.map((p) => (p === null ? null : { name: maskValue('show-last-4', p.name, ctx), email: p.email })) ?? null,
      };
    }),
  );
});
