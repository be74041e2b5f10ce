/**
 * Hostile input against Trino's OPA decision endpoints (/management/v1/trino-opa/*), in process: a body the plugin
 * would never send (no input, no context, no identity, a user that is no string, resources of the wrong shape,
 * non-string column names) is a 400 in the Iceberg model; a well-formed question in doubt (an unknown operation, a
 * resource missing or of another kind, an unknown table or column, a catalog named in another case) is answered in the
 * plugin's shape and denies: false, [], FALSE, null. Identifiers and literals holding quotes are quoted in the SQL
 * answered. Large batches are answered in the plugin's shape. No defect was found here: these cases guard the
 * behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import { engineWithKey } from '../support/engines.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let anon: Send;
let key = '';
const TABLE = { catalogName: 'default', schemaName: 'crm', tableName: 'we"ird' };
const column = (columnName: string, columnType = 'varchar') => ({ column: { ...TABLE, columnName, columnType } });
const input = (action: unknown, identity: unknown = { user: 'ann', groups: [] }) => ({ input: { context: { identity }, action } });
const ask = (path: string, body: unknown) => anon('POST', `/management/v1/trino-opa/${path}?api-key=${encodeURIComponent(key)}`, body as object);

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  anon = injectSender(cat.lakegate.app);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const fields = [
    { id: 1, name: 'a"b', type: 'string', required: false },
    { id: 2, name: "c'd", type: 'string', required: false },
    { id: 3, name: 'id', type: 'long', required: false },
  ];
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', { name: 'we"ird', schema: { type: 'struct', fields } });
  expect(created.status, stringifyJson(created.body).slice(0, 200)).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crm'], name: 'we"ird' });
  const users = ['ann', 'a"b', "o'k"].map((name) => ({ issuer: 'asserted', name }));
  const engine = await engineWithKey(admin, 'trino', { users, 'assert-identity': true });
  key = engine.key;
  const declared = await admin('PUT', `/management/v1/warehouses/default/policy-enforcers/${engine.clientId}`, {
    mechanism: 'trino-opa',
    'trino-catalog': 'default',
  });
  expect(declared.status).toBe(200);
  for (const name of ['ann', 'a"b', "o'k"])
    expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'user', name, issuer: 'asserted' })).status).toBeLessThan(300);
  const policies = '/management/v1/warehouses/default/namespaces/crm/tables/we%22ird/policies';
  const masks = [
    { column: 'a"b', action: 'show-first-4' },
    { column: "c'd", action: 'mask-to-fixed-value', value: "x'); DROP--" },
  ];
  expect((await admin('POST', policies, { kind: 'column-mask', roles: ['analysts'], masks })).status).toBe(201);
  expect((await admin('POST', policies, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: "c'd", value: 'it\'s"' } })).status).toBe(201);
});
afterAll(async () => cat?.close());

const MALFORMED: Array<[string, string, unknown, RegExp]> = [
  ['allow', 'no input', {}, /input is required/],
  ['allow', 'input null', { input: null }, /input must be object/],
  ['allow', 'no context', { input: { action: { operation: 'ExecuteQuery' } } }, /context is required/],
  ['allow', 'no identity', { input: { context: {}, action: { operation: 'ExecuteQuery' } } }, /identity is required/],
  ['allow', 'a numeric user', input({ operation: 'ExecuteQuery' }, { user: 7 }), /user must be string/],
  ['allow', 'an empty user', input({ operation: 'ExecuteQuery' }, { user: '' }), /fewer than 1 characters/],
  ['batch', 'groups not a list', input({ operation: 'FilterCatalogs', filterResources: [] }, { user: 'ann', groups: 'admins' }), /groups must be array/],
  ['allow', 'no action', { input: { context: { identity: { user: 'ann' } } } }, /action is required/],
  ['allow', 'a numeric operation', input({ operation: 7 }), /operation must be string/],
  ['allow', 'numeric column names', input({ operation: 'SelectFromColumns', resource: { table: { ...TABLE, columns: [1, 2] } } }), /columns\/0 must be string/],
  ['allow', 'a resource list', input({ operation: 'SelectFromColumns', resource: [] }), /resource must be object/],
  ['batch', 'a null resource', input({ operation: 'FilterTables', filterResources: [null] }), /filterResources\/0 must be object/],
  ['column-mask', 'no column type', input({ operation: 'GetColumnMask', resource: { column: { ...TABLE, columnName: 'a"b' } } }), /columnType is required/],
  ['allow', 'a list body', [], /body must be object/],
  ['allow', 'not JSON', 'x', /Malformed JSON/],
];

/** Questions in doubt: the plugin's shape, denying. */
const IN_DOUBT: Array<[string, string, unknown, unknown]> = [
  ['allow', 'an unknown operation', input({ operation: 'DropEverything' }), false],
  ['allow', 'select with no resource', input({ operation: 'SelectFromColumns' }), false],
  [
    'allow',
    'select a table of another name',
    input({ operation: 'SelectFromColumns', resource: { table: { ...TABLE, tableName: 'we"ird"; --', columns: ['id'] } } }),
    false,
  ],
  [
    'allow',
    'the catalog in another case',
    input({ operation: 'SelectFromColumns', resource: { table: { ...TABLE, catalogName: 'DEFAULT', columns: ['id'] } } }),
    false,
  ],
  ['allow', 'a resource of another kind', input({ operation: 'SelectFromColumns', resource: { catalog: { name: 'default' } } }), false],
  ['allow', 'AccessCatalog without a catalog', input({ operation: 'AccessCatalog', resource: {} }), false],
  ['allow', 'a filter operation asked one at a time', input({ operation: 'FilterTables', filterResources: [{ table: TABLE }] }), false],
  ['allow', 'a user the engine may not act for', input({ operation: 'ExecuteQuery' }, { user: 'mallory', groups: [] }), false],
  ['batch', 'no filterResources', input({ operation: 'FilterTables' }), []],
  ['batch', 'resources of another kind', input({ operation: 'FilterTables', filterResources: [{ catalog: { name: 'default' } }] }), []],
  [
    'batch',
    'FilterColumns over two tables',
    input({ operation: 'FilterColumns', filterResources: [{ table: { ...TABLE, columns: ['id'] } }, { table: { ...TABLE, columns: ['id'] } }] }),
    [],
  ],
  ['batch', 'an unknown operation', input({ operation: 'Nope', filterResources: [{ table: TABLE }] }), []],
  ['row-filters', 'no resource', input({ operation: 'GetRowFilters' }), [{ expression: 'FALSE' }]],
  [
    'row-filters',
    'an unknown table',
    input({ operation: 'GetRowFilters', resource: { table: { ...TABLE, tableName: 'missing' } } }),
    [{ expression: 'FALSE' }],
  ],
  ['row-filters', 'a resource of another kind', input({ operation: 'GetRowFilters', resource: { catalog: { name: 'default' } } }), [{ expression: 'FALSE' }]],
  [
    'row-filters',
    'a user the engine may not act for',
    input({ operation: 'GetRowFilters', resource: { table: TABLE } }, { user: 'mallory' }),
    [{ expression: 'FALSE' }],
  ],
  ['column-mask', 'no resource', input({ operation: 'GetColumnMask' }), null],
  ['column-mask', 'an unknown column', input({ operation: 'GetColumnMask', resource: column('nope') }), null],
  ['batch-column-masks', 'no filterResources', input({ operation: 'GetColumnMask' }), []],
  ['batch-column-masks', 'resources of another kind', input({ operation: 'GetColumnMask', filterResources: [{ table: TABLE }] }), []],
];

describe("Trino's OPA endpoints against hostile requests", () => {
  it.each(MALFORMED)('%s: refuses %s with 400 in the Iceberg model', async (path, _label, body, message) => {
    const res = await ask(path, body);
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 400, type: 'BadRequestException', message: expect.stringMatching(message) });
  });

  it.each(IN_DOUBT)("%s: denies %s in the plugin's shape", async (path, _label, body, result) => {
    const res = await ask(path, body);
    expect(res.status, stringifyJson(res.body)).toBe(200);
    expect(res.body).toEqual({ result });
  });

  it.each(['ann', 'a"b', "o'k"])('quotes identifiers and literals holding quotes in the SQL answered (user %s)', async (user) => {
    const identity = { user, groups: [] };
    const filters = await ask('row-filters', input({ operation: 'GetRowFilters', resource: { table: TABLE } }, identity));
    expect(filters.body).toEqual({ result: [{ expression: `("c'd" = 'it''s"')` }] });
    const masks = await ask(
      'batch-column-masks',
      input({ operation: 'GetColumnMask', filterResources: [column('a"b'), column("c'd"), column('id', 'bigint')] }, identity),
    );
    expect(masks.body).toEqual({
      result: [
        { index: 0, viewExpression: { expression: `CAST(substr("a""b", 1, 4) || rpad('', greatest(length("a""b") - 4, 0), 'x') AS varchar)` } },
        { index: 1, viewExpression: { expression: `CAST('x''); DROP--' AS varchar)` } },
      ],
    });
  });

  it("answers large batches in the plugin's shape: 10,000 columns, 20,000 masks asked, 5,000 tables", async () => {
    const columns = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'id' : `c${i}`));
    const filtered = await ask('batch', input({ operation: 'FilterColumns', filterResources: [{ table: { ...TABLE, columns } }] }));
    expect(filtered.status).toBe(200);
    expect(filtered.body.result).toHaveLength(10_000);
    const masks = await ask(
      'batch-column-masks',
      input({
        operation: 'GetColumnMask',
        filterResources: Array.from({ length: 20_000 }, (_, i) => ({
          column: { ...TABLE, tableName: `x${i % 500}`, columnName: `c${i}`, columnType: 'varchar' },
        })),
      }),
    );
    expect(masks.body).toEqual({ result: [] });
    const tables = await ask(
      'batch',
      input({ operation: 'FilterTables', filterResources: Array.from({ length: 5_000 }, (_, i) => ({ table: { ...TABLE, tableName: `t${i}` } })) }),
    );
    expect(tables.body).toEqual({ result: [] });
  }, 60_000);
});
