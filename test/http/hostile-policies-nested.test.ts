/**
 * Hostile input against policies on nested columns (list elements, map values, struct fields, by name or field id), in
 * process on a table `crm.contacts` with one Parquet file (policy-contacts.ts), and what a later schema change does to
 * a stored policy. Malformed paths, ids and action/type pairs are a 400 in the Iceberg model that stores nothing; after
 * a nested field or a list is renamed, the masks (stored by field id) still apply to the rows a plan hands out; after
 * the column a row filter names is dropped, the read fails closed (a 400 for the plan, FALSE for Trino), never a 5xx
 * and never the unmasked rows. These cases guard the behaviour, save one: a field whose own name holds a '.' (a struct's
 * field "a.b") is named "person.a.b", as Iceberg's name index names it and as a stored mask on it shows it; before,
 * that name was refused ("cannot find column"), so a policy listed could not be posted back (nested.test.ts: a name two
 * fields answer to is refused, never one of them picked).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import { askOpa, engineWithKey } from '../support/engines.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, injectSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { CONTACTS, CONTACTS_SCHEMA, contactRows, writeContacts } from '../support/policy-contacts.js';

let cat: TestCatalog;
let admin: Send;
let analyst: Send;
let engineKey = '';
const TABLE = '/v1/default/namespaces/crm/tables/contacts';
const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/contacts/policies';
const contacts = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'contacts' };
const FIELDS = CONTACTS_SCHEMA.fields as Array<{ id: number; name: string; type: any; required: boolean }>;

const icebergError = (res: { status: number; body: any }, status: number, message: RegExp, label: string) => {
  expect(res.status, `${label}: ${stringifyJson(res.body).slice(0, 300)}`).toBe(status);
  expect(res.body.error, label).toMatchObject({ code: status, type: expect.any(String), message: expect.stringMatching(message) });
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', {
    name: 'contacts',
    schema: CONTACTS_SCHEMA,
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const data = `${location}/data/contacts.parquet`;
  mkdirSync(path.dirname(fileURLToPath(data)), { recursive: true });
  await writeContacts(data, CONTACTS);
  const manifest = `${location}/metadata/m.avro`;
  const length = await writeManifest(
    manifest,
    [],
    [{ status: 1, snapshotId: 1n, sequenceNumber: 1, file: { path: data, partition: [], records: CONTACTS.length } }],
  );
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }]);
  const c = appendUpdates((await admin('GET', TABLE)).body.metadata, list);
  expect((await admin('POST', TABLE, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], contacts);
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

describe('fields whose names hold a dot', () => {
  const policiesOf = (table: string) => `/management/v1/warehouses/default/namespaces/crm/tables/${table}/policies`;

  beforeAll(async () => {
    const dotted = [
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'person', type: { type: 'struct', fields: [{ id: 3, name: 'a.b', type: 'string', required: false }] }, required: false },
      { id: 4, name: 'x.y', type: 'string', required: false },
    ];
    expect((await admin('POST', '/v1/default/namespaces/crm/tables', { name: 'dotted', schema: { type: 'struct', fields: dotted } })).status).toBe(200);
  });

  it('names a struct\'s field "a.b" as person.a.b, by which its listed mask is posted back', async () => {
    for (const [column, fieldId] of [
      // Ids as a create assigns them: top-level columns first, then nested fields.
      ['person.a.b', 4],
      ['x.y', 3],
    ] as const) {
      const byId = await admin('POST', policiesOf('dotted'), {
        kind: 'column-mask',
        roles: ['analysts'],
        masks: [{ 'field-id': fieldId, action: 'show-first-4' }],
      });
      expect(byId.status, stringifyJson(byId.body)).toBe(201);
      expect(byId.body.masks).toEqual([{ 'field-id': fieldId, column, action: 'show-first-4' }]);
      expect((await admin('DELETE', `${policiesOf('dotted')}/${byId.body.id}`)).status).toBe(204);
      const byName = await admin('POST', policiesOf('dotted'), { kind: 'column-mask', roles: ['analysts'], masks: [{ column, action: 'show-first-4' }] });
      expect(byName.status, stringifyJson(byName.body)).toBe(201);
      expect(byName.body.masks).toEqual([{ 'field-id': fieldId, column, action: 'show-first-4' }]);
      expect((await admin('DELETE', `${policiesOf('dotted')}/${byName.body.id}`)).status).toBe(204);
    }
    icebergError(
      await admin('POST', policiesOf('dotted'), { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'person.a', action: 'replace-with-null' }] }),
      400,
      /cannot find column 'person\.a'/,
      'half of a dotted name',
    );
  });
});

const BAD_MASKS: Array<[string, Record<string, unknown>, RegExp]> = [
  ['an empty column', { column: '', action: 'replace-with-null' }, /fewer than 1 characters/],
  ['a lone dot', { column: '.', action: 'replace-with-null' }, /cannot find column '\.'/],
  ['an empty path segment', { column: 'emails..element', action: 'replace-with-null' }, /cannot find column/],
  ['a trailing dot', { column: 'address.', action: 'replace-with-null' }, /cannot find column/],
  ['element of an element', { column: 'emails.element.element', action: 'replace-with-null' }, /cannot find column/],
  ['element of a struct field', { column: 'address.city.element', action: 'replace-with-null' }, /cannot find column/],
  ['element of a struct', { column: 'address.element', action: 'replace-with-null' }, /cannot find column/],
  ['element of a primitive', { column: 'id.element', action: 'replace-with-null' }, /cannot find column/],
  ['value of a map value', { column: 'attrs.value.value', action: 'replace-with-null' }, /cannot find column/],
  ['a map key by name', { column: 'attrs.key', action: 'show-first-4' }, /a map's keys identify its entries/],
  ['a map key by field id', { 'field-id': 8, action: 'replace-with-null' }, /a map's keys identify its entries/],
  ['a case-changed path', { column: 'Address.City', action: 'replace-with-null' }, /cannot find column/],
  ['a very deep path', { column: `${'a.'.repeat(500)}a`, action: 'replace-with-null' }, /cannot find column|more than 1024/],
  ['a path over 1024 characters', { column: 'x'.repeat(100_000), action: 'replace-with-null' }, /more than 1024 characters/],
  ['a NUL in the path', { column: 'emails.\u0000', action: 'replace-with-null' }, /cannot find column/],
  ['a non-string column', { column: 7, action: 'replace-with-null' }, /must be string/],
  ['a negative field id', { 'field-id': -1, action: 'replace-with-null' }, /field-id must be >= 0/],
  ['field id 0', { 'field-id': 0, action: 'replace-with-null' }, /cannot find field id 0/],
  ['a huge field id', { 'field-id': 2 ** 31, action: 'replace-with-null' }, /cannot find field id 2147483648/],
  ['a field id past 2^53', { 'field-id': 2 ** 53, action: 'replace-with-null' }, /must be integer/],
  ['a fractional field id', { 'field-id': 1.5, action: 'replace-with-null' }, /must be integer/],
  ['a string field id', { 'field-id': '7', action: 'replace-with-null' }, /must be integer/],
  ['column and field id both', { column: 'address.city', 'field-id': 10, action: 'replace-with-null' }, /one of them/],
  ['an unknown action', { column: 'address.city', action: 'hash-sha256' }, /must be equal to one of the allowed values/],
  ['a non-string action', { column: 'address.city', action: 7 }, /must be string/],
  ['a string action on ints', { column: 'scores.element', action: 'show-first-4' }, /applies to string columns/],
  ['null on a required element', { column: 'scores.element', action: 'replace-with-null' }, /required list's element/],
  ['null on a required field by id', { 'field-id': 11, action: 'replace-with-null' }, /required struct's field/],
  ['show-first-4 on a whole list', { column: 'emails', action: 'show-first-4' }, /cannot mask the list column/],
  ['an unknown key', { column: 'address.city', action: 'replace-with-null', extra: 1 }, /not a field the contract knows/],
];

describe('malformed masks and filters on nested columns', () => {
  it.each(BAD_MASKS)('refuses %s with 400 and stores nothing', async (label, mask, message) => {
    icebergError(await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks: [mask] }), 400, message, label);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it.each([
    [
      'one field masked twice by name',
      [
        { column: 'address.city', action: 'replace-with-null' },
        { column: 'address.city', action: 'show-first-4' },
      ],
    ],
    [
      'one field by name and by id',
      [
        { column: 'address.city', action: 'replace-with-null' },
        { 'field-id': 10, action: 'replace-with-null' },
      ],
    ],
  ])('refuses %s (400) and stores nothing', async (label, masks) => {
    icebergError(await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks }), 400, /masked twice in this policy/, label);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it.each([
    ["a list's element", 'emails.element', /'emails' is a list/],
    ["a map's key", 'attrs.key', /'attrs' is a map/],
    ['an empty path segment', 'a..b', /cannot find field 'a\.\.b'/],
    ['a whole struct', 'address', /not of a primitive type/],
  ])('refuses a row filter on %s (400)', async (label, term, message) => {
    icebergError(await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term, value: 'x' } }), 400, message, label);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });
});

describe('stored policies across schema changes', () => {
  const first4 = (s: string | null) => (s === null ? null : s.slice(0, 4) + 'x'.repeat(Math.max(0, s.length - 4)));
  const evolve = async (fields: unknown[], status = 200) => {
    const md = (await admin('GET', TABLE)).body.metadata;
    const res = await admin('POST', TABLE, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', fields }, 'last-column-id': md['last-column-id'] },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(status);
    return res;
  };
  const maskedRows = async () => {
    const res = await analyst('POST', `${TABLE}/plan`, {});
    expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(200);
    return (await contactRows(res.body)) as any[];
  };
  const renamed = FIELDS.map((f) =>
    f.id === 2 ? { ...f, name: 'mails' } : f.id === 4 ? { ...f, type: { ...f.type, fields: [{ ...f.type.fields[0], name: 'town' }, f.type.fields[1]] } } : f,
  );

  it("keeps masking a renamed struct field and a renamed list's elements (by field id); refuses dropping a filtered column", async () => {
    for (const masks of [[{ column: 'address.city', action: 'show-first-4' }], [{ column: 'emails.element', action: 'show-first-4' }]])
      expect((await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks })).status).toBe(201);
    const filter = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'not-null', term: 'address.zip' } });
    expect(filter.status, stringifyJson(filter.body)).toBe(201);
    const expected = CONTACTS.filter((r) => r.address !== null).map((r) => [r.id, r.emails?.map(first4) ?? null, first4(r.address!.city)]);
    expect((await maskedRows()).map((r) => [r.id, r.emails, r.address.city])).toEqual(expected);

    await evolve(renamed);
    // The file keeps its names; the masks follow the field ids, whatever the current schema calls them.
    expect((await maskedRows()).map((r) => [r.id, r.emails, r.address.city])).toEqual(expected);
    const trinoMasks = await askOpa(injectSender(cat.lakegate.app), engineKey, 'batch-column-masks', 'ann', {
      operation: 'GetColumnMask',
      filterResources: [{ column: { catalogName: 'default', schemaName: 'crm', tableName: 'contacts', columnName: 'mails', columnType: 'array(varchar)' } }],
    });
    expect(trinoMasks).toEqual([{ index: 0, viewExpression: { expression: expect.stringMatching(/^transform\("mails", e0 -> .*substr\(e0, 1, 4\)/) } }]);

    // Dropping the row filter's column (and the masked one inside it) is refused, naming a policy (policies/follow.ts).
    const dropped = await evolve(
      renamed.filter((f) => f.id !== 4),
      400,
    );
    expect(dropped.body.error.message).toMatch(/policy [0-9a-f-]+ on table crm\.contacts does not fit the new schema/);
    expect((await analyst('POST', `${TABLE}/plan`, {})).status).toBe(200);
    const rowFilters = await askOpa(injectSender(cat.lakegate.app), engineKey, 'row-filters', 'ann', {
      operation: 'GetRowFilters',
      resource: { table: { catalogName: 'default', schemaName: 'crm', tableName: 'contacts' } },
    });
    expect(rowFilters).toEqual([{ expression: '("address"."zip" IS NOT NULL)' }]);
    // The stored policies are listed in the current names of their field ids.
    const listed = (await admin('GET', POLICIES)).body.policies as Array<{ kind: string; masks?: unknown; filter?: unknown }>;
    expect(listed.map((p) => p.masks ?? p.filter)).toEqual([
      [{ 'field-id': 10, column: 'address.town', action: 'show-first-4' }],
      [{ 'field-id': 7, column: 'mails.element', action: 'show-first-4' }],
      { type: 'not-null', term: 'address.zip' },
    ]);
  });
});
