/**
 * Column masks naming a Lance table's map values (in process on a file warehouse, with the real Lance library, whose
 * datasets hold Arrow maps), as the Iceberg path names and masks them: `attrs.value` masked in every entry, the keys,
 * the maps' own nulls, empty maps and null values written as stored; a whole map nulled by replace-with-null; a map of
 * a list's values (`groups.value.element`) masked in every element. Refused (400, saying why): a map's key, a string
 * action on a non-string value, another action on a whole map, a row filter naming a value. Before 2026-11-29 a map
 * could not be named at all ("not of a primitive type", or not found).
 */
import { Field, Int32, List, Map_, Struct, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createLanceTable, expectRefused, readTableAs } from '../support/lance-policy-tables.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/lm/tables/maps/policies';
const maps = { type: 'table' as const, warehouse: 'default', namespace: ['lm'], name: 'maps' };
const ROWS = 1500;
let cat: TestCatalog;
let admin: Send;
let aliceToken = '';
let bobToken = '';
let url = '';

const ctx = { querySalt: new Uint8Array(32) };
const attrsOf = (i: number) =>
  i % 7 === 6
    ? null
    : i % 7 === 5
      ? new Map<string, string | null>()
      : new Map([['team', `red-${i}`], ...(i % 3 === 0 ? [['seat', null]] : [])] as [string, string | null][]);
const scoresOf = (i: number) => new Map([['a', i]]);
const groupsOf = (i: number) => (i % 4 === 3 ? null : new Map([['g', [`x${i}@y.org`, null]]]));
const entries = (m: Map<string, unknown> | null) => (m === null ? null : [...m.entries()]);
const original = (i: number) => ({ id: i, attrs: entries(attrsOf(i)), scores: entries(scoresOf(i)), groups: entries(groupsOf(i)) });

/** A value LanceDB answers (Arrow vectors, struct and map rows) as plain values; a map as its [key, value] pairs. */
const plain = (v: unknown): unknown => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && (v as object).constructor?.name === 'MapRow') return [...(v as Iterable<[string, unknown]>)].map(([k, x]) => [k, plain(x)]);
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return plain((v as { toJSON(): unknown }).toJSON());
  return v;
};

/** The table read with LanceDB through Lakegate's Lance namespace as the holder of `token`: its rows by id. */
const readAs = (token: string) => readTableAs(url, token, { namespace: 'lm', name: 'maps' }, plain);

const clearPolicies = async () => {
  for (const p of (await admin('GET', POLICIES)).body.policies as { id: string }[]) expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  expect((await admin('POST', `${L}/namespace/lm/create`, {})).status).toBe(200);
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  const map = (value: Field) => new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), value] as never[]), false) as never);
  const ipc = tableToIPC(
    new Table({
      id: makeVector(Int32Array.from(ids)),
      attrs: vectorFromArray(ids.map(attrsOf), map(new Field('value', new Utf8(), true))),
      scores: vectorFromArray(ids.map(scoresOf), map(new Field('value', new Int32(), true))),
      groups: vectorFromArray(ids.map(groupsOf), map(new Field('value', new List(new Field('item', new Utf8(), true)), true))),
    }),
    'stream',
  );
  await createLanceTable(cat, { namespace: 'lm', name: 'maps' }, ipc);
  const alice = await cat.lakegate.principals.create('lm-alice');
  aliceToken = await tokenOf(cat.lakegate.app, alice.clientId, alice.clientSecret);
  const bob = await cat.lakegate.principals.create('lm-bob');
  bobToken = await tokenOf(cat.lakegate.app, bob.clientId, bob.clientSecret);
  await grant(admin, 'lm-analysts', ['table:read-data'], maps);
  await grant(admin, 'lm-readers', ['table:read-data'], maps);
  await addMember(admin, 'lm-analysts', { kind: 'principal', name: alice.clientId });
  await addMember(admin, 'lm-readers', { kind: 'principal', name: bob.clientId });
});
afterAll(async () => cat?.close());

it("refuses (400, saying why, nothing stored) a map's key, an action its value's type does not take, and a row filter naming a value", async () => {
  const mask = (m: Record<string, unknown>) => ({ kind: 'column-mask', roles: ['lm-analysts'], masks: [m] });
  const refused = [
    [mask({ column: 'attrs.key', action: 'show-first-4' }), /a map's keys identify its entries/],
    [mask({ column: 'scores.value', action: 'mask-alphanum' }), /mask-alphanum applies to string columns, not to 'scores.value' \(int\)/],
    [mask({ column: 'attrs', action: 'show-first-4' }), /replace-with-null only.*mask its values as 'attrs.value'/],
    [mask({ column: 'groups.value', action: 'show-first-4' }), /'groups.value', a list \(map's value\).*replace-with-null only/],
    [{ kind: 'row-filter', roles: ['lm-analysts'], filter: { type: 'eq', term: 'attrs.value', value: 'x' } }, /'attrs' is a map, holding many values a row/],
  ] as const;
  await expectRefused(admin, POLICIES, refused);
});

it("masks every map's value (and a map of lists' every element) as the Iceberg path's functions; keys, null maps, empty maps and null values as stored", async () => {
  const mask = await admin('POST', POLICIES, {
    kind: 'column-mask',
    roles: ['lm-analysts'],
    masks: [
      { column: 'attrs.value', action: 'show-last-4' },
      { column: 'scores.value', action: 'mask-to-fixed-value', value: 0 },
      { column: 'groups.value.element', action: 'sha-256-global' },
    ],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  expect(await readAs(bobToken)).toEqual(Array.from({ length: ROWS }, (_, i) => original(i)));
  const rows = await readAs(aliceToken);
  expect(rows).toEqual(
    Array.from({ length: ROWS }, (_, i) => {
      const row = original(i);
      return {
        id: i,
        attrs: row.attrs?.map(([k, v]) => [k, maskValue('show-last-4', v, ctx)]) ?? null,
        scores: row.scores?.map(([k]) => [k, 0]) ?? null,
        groups: row.groups?.map(([k, v]) => [k, (v as (string | null)[]).map((x) => maskValue('sha-256-global', x, ctx))]) ?? null,
      };
    }),
  );
  expect(rows[0]!.attrs).toEqual([
    ['team', maskValue('show-last-4', 'red-0', ctx)],
    ['seat', null],
  ]);
  expect(rows[5]!.attrs).toEqual([]);
  expect(rows[6]!.attrs).toBeNull();
});

it('nulls a whole map by replace-with-null', async () => {
  await clearPolicies();
  const mask = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['lm-analysts'], masks: [{ column: 'attrs', action: 'replace-with-null' }] });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  expect(await readAs(aliceToken)).toEqual(Array.from({ length: ROWS }, (_, i) => ({ ...original(i), attrs: null })));
});
