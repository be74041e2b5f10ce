/**
 * Column masks of an Iceberg table's list, map and struct columns (issue 53), in-process: a table `crm.contacts` with
 * one Parquet data file written here (Parquet field ids on every nested field). A whole optional list, map or struct
 * is nulled by `replace-with-null` (the policy-enforced file keeps the schema and field ids, the column null in every
 * row); what cannot be enforced is refused (400 with the reason): another action on a whole nested column, a
 * required one, a row filter on a list's element or a map's value. The loadTable read-restrictions, the effective
 * policy and the plan's stats show the mask; the nested fields' stats are never answered.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { CONTACTS, CONTACTS_SCHEMA, contactRows, fileFieldIds, writeContacts } from '../support/policy-contacts.js';

let cat: TestCatalog;
let admin: Send;
let analyst: Send;
const TABLE = '/v1/default/namespaces/crm/tables/contacts';
const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/contacts/policies';
const EFFECTIVE = '/management/v1/warehouses/default/namespaces/crm/tables/contacts/effective-policy';
const contacts = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'contacts' };

async function removeAll() {
  for (const p of (await admin('GET', POLICIES)).body.policies as Array<{ id: string }>)
    expect((await admin('DELETE', `${POLICIES}/${p.id}`)).status).toBe(204);
}
async function plan(statsFields?: string[]) {
  const r = await analyst('POST', `${TABLE}/plan`, statsFields ? { 'stats-fields': statsFields } : {});
  expect(r.status, stringifyJson(r.body)).toBe(200);
  return r.body as { 'file-scan-tasks': Array<{ 'data-file': { 'file-path': string; 'value-counts'?: unknown } }> };
}

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
});
afterAll(async () => {
  await cat?.close();
});

describe('a whole list, map or struct column nulled by replace-with-null (Iceberg table)', () => {
  afterEach(removeAll);

  it('derives files with the column null in every row, the schema and field ids kept; shown by effective-policy', async () => {
    const created = await admin('POST', POLICIES, {
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'emails', action: 'replace-with-null' },
        { 'field-id': 3, action: 'replace-with-null' },
        { column: 'address', action: 'replace-with-null' },
      ],
    });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body.masks).toEqual([
      { 'field-id': 2, column: 'emails', action: 'replace-with-null' },
      { 'field-id': 3, column: 'attrs', action: 'replace-with-null' },
      { 'field-id': 4, column: 'address', action: 'replace-with-null' },
    ]);
    const effective = await analyst('GET', EFFECTIVE);
    expect(effective.body.masks.map((m: { column: string }) => m.column)).toEqual(['emails', 'attrs', 'address']);
    const body = await plan(['id', 'address.city']);
    const rows = await contactRows(body);
    expect(rows.map((r) => [r.id, r.emails, r.attrs, r.address, r.scores])).toEqual(CONTACTS.map((r) => [r.id, null, null, null, r.scores]));
    expect(await fileFieldIds(body)).toEqual([1, 2, 7, 3, 8, 9, 4, 10, 11, 5, 12, 6, 13]);
    // Never a nested field's stats: address.city is asked for, but its struct is masked whole.
    for (const t of body['file-scan-tasks']) expect((t['data-file']['value-counts'] as { keys: number[] }).keys).toEqual([1]);
  });

  it.each([
    [
      'another action on a whole list',
      { column: 'emails', action: 'show-first-4' },
      /show-first-4 cannot mask the list column 'emails'.*replace-with-null only/,
    ],
    ['another action on a whole map', { column: 'attrs', action: 'sha-256-global' }, /sha-256-global cannot mask the map column 'attrs'/],
    ['a fixed value on a whole struct', { column: 'address', action: 'mask-to-fixed-value', value: 'x' }, /cannot mask the struct column 'address'/],
    ['replace-with-null on a required list', { column: 'scores', action: 'replace-with-null' }, /required column 'scores'/],
    ['replace-with-null on a required field of a struct', { column: 'address.zip', action: 'replace-with-null' }, /required struct's field 'address.zip'/],
  ])('refuses %s with 400 and the reason, storing nothing', async (_what, mask, reason) => {
    const r = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks: [mask] });
    expect(r.status, stringifyJson(r.body)).toBe(400);
    expect(r.body.error.message).toMatch(reason);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });
});

describe("masks of a list's elements and a map's values (Iceberg table)", () => {
  afterEach(removeAll);
  const first4 = (s: string | null) => (s === null ? null : s.slice(0, 4) + 'x'.repeat(Math.max(0, s.length - 4)));
  const sha = (s: string | null) => (s === null ? null : createHash('sha256').update(s).digest('hex'));
  const toMonth = (ms: number | null) => (ms === null ? null : Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1));

  it('applies the action to every element and value, by Iceberg name or field id; lists, maps, keys and nulls as stored', async () => {
    const created = await admin('POST', POLICIES, {
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'emails.element', action: 'show-first-4' },
        { 'field-id': 9, action: 'sha-256-global' },
        { column: 'dates.element', action: 'truncate-to-month' },
        { column: 'scores.element', action: 'mask-to-fixed-value', value: 0 },
      ],
    });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    expect(created.body.masks.map((m: { 'field-id': number; column: string }) => [m['field-id'], m.column])).toEqual([
      [7, 'emails.element'],
      [9, 'attrs.value'],
      [13, 'dates.element'],
      [12, 'scores.element'],
    ]);
    const effective = await analyst('GET', EFFECTIVE);
    expect(effective.body.masks.map((m: { column: string }) => m.column).sort()).toEqual(['attrs.value', 'dates.element', 'emails.element', 'scores.element']);
    const rows = await contactRows(await plan());
    expect(rows).toEqual(
      CONTACTS.map((r) => ({
        ...r,
        emails: r.emails?.map(first4) ?? null,
        attrs: r.attrs === null ? null : Object.fromEntries(Object.entries(r.attrs).map(([k, v]) => [k, sha(v)])),
        dates: r.dates?.map(toMonth) ?? null,
        scores: r.scores.map(() => 0),
      })),
    );
  });

  it.each([
    ['a map key', { column: 'attrs.key', action: 'sha-256-global' }, /a map's keys identify its entries.*mask its values \('attrs.value'\)/],
    ['a map key by field id', { 'field-id': 8, action: 'replace-with-null' }, /cannot mask 'attrs.key': a map's keys identify its entries/],
    [
      'a string action on int elements',
      { column: 'scores.element', action: 'show-last-4' },
      /show-last-4 applies to string columns, not to 'scores.element' \(int\)/,
    ],
    ['replace-with-null on required elements', { column: 'scores.element', action: 'replace-with-null' }, /required list's element 'scores.element'/],
    [
      'a fixed value of the wrong type for elements',
      { column: 'dates.element', action: 'mask-to-fixed-value', value: 'soon' },
      /not a valid date value for 'dates.element'/,
    ],
    ['an unknown part below a list', { column: 'emails.item', action: 'mask-alphanum' }, /cannot find column 'emails.item'/],
  ])('refuses %s with 400 and the reason, storing nothing', async (_what, mask, reason) => {
    const r = await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks: [mask] });
    expect(r.status, stringifyJson(r.body)).toBe(400);
    expect(r.body.error.message).toMatch(reason);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it.each([
    ["a list's element", 'emails.element', /cannot name 'emails.element': 'emails' is a list.*Iceberg expressions cannot reference a list's elements/],
    ["a map's value", 'attrs.value', /cannot name 'attrs.value': 'attrs' is a map.*cannot reference a map's keys or values/],
    ['a whole map', 'attrs', /column 'attrs' is not of a primitive type: it is a map/],
    ['a whole list', 'emails', /column 'emails' is not of a primitive type: it is a list/],
  ])('refuses a row filter on %s with 400 saying why', async (_what, term, reason) => {
    const r = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term, value: 'x' } });
    expect(r.status, stringifyJson(r.body)).toBe(400);
    expect(r.body.error.message).toMatch(reason);
  });
});
