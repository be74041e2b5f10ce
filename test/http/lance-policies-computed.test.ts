/**
 * Policy-enforced reads of a Lance table with a computed column and with columns added from expressions whose values
 * come back as view or large types, and a dictionary-encoded one (in process on a file warehouse, listening on 127.0.0.1 so LanceDB refreshes the
 * computed column through the namespace as a client would). A restricted reader's DescribeTable answers a derived
 * dataset holding the admitted rows with the computed column's current values as a plain column (masked where a mask
 * names it): once a 400, LanceDB refusing to write a column whose binding was copied ("its values come from refresh").
 * The table's detailed metadata, the derived dataset's, and UpdateFieldMetadata read those columns as well.
 * Policies on plain tables: lance-policies.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Dictionary, Int32, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { maskValue } from '../../packages/server/src/policy-files/masks.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const POLICIES = '/management/v1/warehouses/default/namespaces/pc/tables/people/policies';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['pc'], name: 'people' };
let cat: TestCatalog;
let url = '';
let adminToken = '';
let admin: Send;
let analyst: Caller;

const describeAs = (send: Send, body: Record<string, unknown> = {}) => send('POST', `${L}/table/pc%24people/describe`, body);
const masked = (value: string) => maskValue('mask-alphanum', value, { querySalt: new Uint8Array(32) }) as string;

/** The dataset at `location` (a file: URI), read with LanceDB directly: its rows by id and its fields' metadata keys. */
async function readDataset(location: string) {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    const fields = (await table.schema()).fields.map((f) => [f.name, [...f.metadata.keys()]] as const);
    const rows = ((await table.query().toArray()) as Record<string, unknown>[])
      .map((r) => ({ id: Number(r.id), region: r.region, tier: r.tier, label: r.label, contact: r.contact, raw: Buffer.from(r.raw as Uint8Array).toString() }))
      .sort((a, b) => a.id - b.id);
    return { fields: Object.fromEntries(fields), rows };
  } finally {
    table.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  const a = cat.admin();
  adminToken = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await admin('POST', `${L}/namespace/pc/create`, {})).status).toBe(200);
  const ipc = tableToIPC(
    new Table({
      id: makeVector(Int32Array.from([1, 2, 3])),
      region: vectorFromArray(['eu', 'us', 'eu'], new Utf8()),
      email: vectorFromArray(['ann@example.org', 'bob@example.com', 'cy@example.net'], new Utf8()),
      // Dictionary-encoded, as apache-arrow's tableFromArrays encodes strings.
      tier: vectorFromArray(['gold', 'free', 'free'], new Dictionary(new Utf8(), new Int32())),
    }),
    'stream',
  );
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/pc%24people/create`,
    payload: Buffer.from(ipc),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${adminToken}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  // Expression columns whose values the query answers as LargeUtf8 and BinaryView (Lance stores the latter as Binary).
  const expressions = await admin('POST', `${L}/table/pc%24people/add_columns`, {
    new_columns: [
      { name: 'contact', expression: "arrow_cast(email, 'LargeUtf8')" },
      { name: 'raw', expression: "arrow_cast(email, 'BinaryView')" },
    ],
  });
  expect(expressions.status, stringifyJson(expressions.body)).toBe(200);
  const computed = await admin('POST', `${L}/table/pc%24people/add_columns`, {
    new_columns: [{ name: 'label', computed: "concat(upper(region), ':', email)" }],
  });
  expect(computed.status, stringifyJson(computed.body)).toBe(200);
  // A client fills the computed column through the namespace, committing the next version.
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${adminToken}` } });
  const table = await db.openTable('people', ['pc']);
  expect((await table.refreshColumn('label')).rowsFilled).toBe(3);
  table.close();
  db.close();

  analyst = await signedInPrincipal(cat, 'pc-analyst');
  await grant(admin, 'pc-analysts', ['table:read-data'], people);
  await addMember(admin, 'pc-analysts', { kind: 'principal', name: analyst.id });
});
afterAll(async () => cat?.close());

it("answers a restricted reader a derived dataset holding the computed column's current values as a plain column, masked as named", async () => {
  const filter = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['pc-analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(filter.status, stringifyJson(filter.body)).toBe(201);
  const mask = await admin('POST', POLICIES, {
    kind: 'column-mask',
    roles: ['pc-analysts'],
    masks: [
      { column: 'label', action: 'mask-alphanum' },
      { column: 'contact', action: 'mask-alphanum' },
    ],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);

  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect(derived.body.location).toMatch(/_lakegate\/policy\/.*\/lance-v\d+-[0-9a-f-]+\.lance$/);
  const { fields, rows } = await readDataset(derived.body.location as string);
  expect(rows).toEqual([
    { id: 1, region: 'eu', tier: 'gold', label: masked('EU:ann@example.org'), contact: masked('ann@example.org'), raw: 'ann@example.org' },
    { id: 3, region: 'eu', tier: 'free', label: masked('EU:cy@example.net'), contact: masked('cy@example.net'), raw: 'cy@example.net' },
  ]);
  expect(masked('EU:ann@example.org')).not.toBe('EU:ann@example.org');
  // A plain column there: no binding a refresh of the copy would recompute from.
  expect(fields.label).toEqual([]);

  // Its detailed metadata is the derived dataset's schema, every column carried.
  const detailed = await describeAs(analyst.send, { load_detailed_metadata: true });
  expect(detailed.status, stringifyJson(detailed.body)).toBe(200);
  const types = (detailed.body.schema as { fields: { name: string; type: { type: string } }[] }).fields.map((f) => [f.name, f.type.type]);
  expect(types).toEqual([
    ['id', 'int32'],
    ['region', 'utf8'],
    ['email', 'utf8'],
    ['tier', 'utf8'],
    ['contact', 'large_utf8'],
    ['raw', 'binary'],
    ['label', 'utf8'],
  ]);
});

it("reads the table's own computed, large and binary columns for detailed metadata and UpdateFieldMetadata", async () => {
  const detailed = await describeAs(admin, { load_detailed_metadata: true });
  expect(detailed.status, stringifyJson(detailed.body)).toBe(200);
  const label = (detailed.body.schema as { fields: { name: string; metadata?: Record<string, string> }[] }).fields.find((f) => f.name === 'label');
  expect(label?.metadata).toMatchObject({ computed_column: 'true' });
  const updated = await admin('POST', `${L}/table/pc%24people/update_field_metadata`, {
    updates: [
      { path: 'contact', metadata: { pii: 'yes' } },
      { path: 'raw', metadata: { pii: 'yes' } },
    ],
  });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  // The restricted reader's next read derives the new version, its rows as before.
  const derived = await describeAs(analyst.send);
  expect(derived.status, stringifyJson(derived.body)).toBe(200);
  expect((await readDataset(derived.body.location as string)).rows.map((r) => r.id)).toEqual([1, 3]);
});
