/**
 * Hostile literals in row filters, mask values and scan filters, in process on a v3 table with one column of every
 * primitive type. One rule (catalog/kit/literal.ts) decides what is a value of a column's type: a literal of no such
 * value is a 400 in the Iceberg error model that stores nothing. Before it, each request below was stored (201) and
 * then never pruned, rendered as FALSE for Trino, or (2024-02-30) silently read as another day (2024-03-01); a long
 * written 1e23 (a JSON number only a float holds) reached Trino as BIGINT '99999999999999991611392'.
 *
 * A stored literal is read against the column's type of the day (policies/follow.ts), so a schema change that changes
 * the type of a column a policy's literal is compared with, save a widening that keeps every value (int to long), is a
 * 400 naming the policy (policies/literal-types.ts). Before, a date column promoted to a timestamp kept a filter
 * `d > 19723` (2024-01-01 as a day number), then read as 19723 microseconds: every row since 1970 was let through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
const TABLE = '/v1/default/namespaces/crm/tables/typed';
const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/typed/policies';
const TYPES = [
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'uuid',
  'binary',
  'fixed[4]',
  'decimal(9, 2)',
];
const column = (type: string) => `c_${type.replace(/\W+/g, '_')}`;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const fields = TYPES.map((type, i) => ({ id: i + 1, name: column(type), type, required: false }));
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', {
    name: 'typed',
    schema: { type: 'struct', fields },
    properties: { 'format-version': '3' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crm'], name: 'typed' });
});
afterAll(async () => cat?.close());

const refused = (res: { status: number; body: any }, label: string) => {
  expect(res.status, `${label}: ${stringifyJson(res.body).slice(0, 300)}`).toBe(400);
  expect(res.body.error, label).toMatchObject({ code: 400, type: 'BadRequestException', message: expect.stringMatching(/is not a valid .* (literal|value)/) });
};

// [type, literals that are no value of it]
const BAD: Array<[string, unknown[]]> = [
  ['int', [2147483648, -2147483649, 1.5, '1']],
  ['long', [1e23, -1e300]],
  ['date', ['2024-02-30', '2023-02-29', 1e15]],
  ['time', ['abc', '25:00:00', '12:60', 86_400_000_000]],
  ['timestamp', ['1', 'May 5 2024', '2024-02-30T00:00:00', '2024-01-01T24:00:00', 1e300]],
  ['timestamptz', ['1', '2024-01-01T00:00:00+99:00']],
  ['timestamp_ns', ['2024-13-01T00:00:00.123456789']],
  ['uuid', ['not-a-uuid', '0000000000000000000000000000000']],
  ['binary', ['zz', 'abc']],
  ['fixed[4]', ['zz', '0102030405', '010203']],
  ['decimal(9, 2)', ['abc', '1e5', '1.234', '12345678.9', '']],
];
// [type, literals that are values of it]
const GOOD: Array<[string, unknown[]]> = [
  ['long', [-5, 2n ** 62n]],
  ['date', ['2024-02-29', 19_000]],
  ['time', ['12:00:00', '23:59:59.999999']],
  ['timestamp', ['2024-01-01T00:00:00', '2024-01-01T00:00:00.123456', 1_700_000_000_000_000]],
  ['timestamptz', ['2024-01-01T00:00:00+01:00', '2024-01-01T00:00:00Z']],
  ['uuid', ['00000000-0000-0000-0000-00000000000A']],
  ['binary', ['0A0b', '']],
  ['fixed[4]', ['01020304']],
  ['decimal(9, 2)', ['1.23', '-1234567.8', '1.230', '0.5']],
];

describe('literals of no value of the column type', () => {
  it('are a 400 for a row filter, a mask value and a scan filter, and store nothing', async () => {
    for (const [type, values] of BAD)
      for (const value of values) {
        const label = `${type} ${stringifyJson(value)}`;
        const term = column(type);
        refused(await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term, value } }), `filter ${label}`);
        refused(await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'in', term, values: [value] } }), `in ${label}`);
        refused(
          await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks: [{ column: term, action: 'mask-to-fixed-value', value }] }),
          `mask ${label}`,
        );
        refused(await admin('POST', `${TABLE}/plan`, { filter: { type: 'lt', term, value } }), `plan ${label}`);
      }
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it('values of the type are still taken', async () => {
    for (const [type, values] of GOOD)
      for (const value of values) {
        const label = `${type} ${stringifyJson(value)}`;
        const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: column(type), value } });
        expect(created.status, `${label}: ${stringifyJson(created.body).slice(0, 300)}`).toBe(201);
        expect((await admin('DELETE', `${POLICIES}/${created.body.id}`)).status).toBe(204);
        expect((await admin('POST', `${TABLE}/plan`, { filter: { type: 'lt', term: column(type), value } })).status, label).toBe(200);
      }
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });
});

/**
 * Literals a scan filter may send (Iceberg Java writes an infinite double as "Infinity"; 1e300 against a float prunes
 * as "above every value"), which a policy never keeps: its literal is read again on every read, rendered for Trino
 * (REAL '1e300' overflows) and must mean one value of the column's type. Before 2026-11-29 each was stored (201).
 */
const UNSTORABLE: Array<[string, unknown[]]> = [
  ['float', [1e300, -1e300, 3.5e38, 'NaN', 'Infinity', '-Infinity']],
  ['double', ['NaN', 'Infinity', '-Infinity']],
  ['timestamp', ['2024-01-01T00:00:00+01:00', '2024-01-01T00:00:00Z']],
  ['timestamptz', ['2024-01-01T00:00:00', '2024-01-01T00:00:00.123456']],
  ['timestamp_ns', ['1500-01-01T00:00:00', '2262-04-11T23:47:16.854775808', '2024-01-01T00:00:00Z']],
  ['timestamptz_ns', ['2300-01-01T00:00:00+00:00', '1677-09-21T00:12:43.145224191Z', '2024-01-01T00:00:00']],
];
// [type, JSON text of a literal no parser keeps as written: an overflow to Infinity, a long beyond 64 bits]
const RAW: Array<[string, string[]]> = [
  ['float', ['1e400', '-1e400']],
  ['double', ['1e400', '-1e400']],
  ['long', ['9223372036854775808', '-9223372036854775809', '18446744073709551616']],
  ['int', ['2147483648', '9223372036854775807']],
];
const STORABLE: Array<[string, unknown[]]> = [
  ['float', [3.4e38, -3.4028234663852886e38, 0.1, -1.5]],
  ['double', [1e300, -1.7976931348623157e308]],
  ['timestamp_ns', ['2262-04-11T23:47:16.854775807', '1677-09-21T00:12:43.145224192']],
  ['timestamptz_ns', ['2024-01-01T00:00:00.5+00:00', '2262-04-11T23:47:16.854775807Z']],
  ['long', [9223372036854775807n, -9223372036854775808n]],
];

const namesColumn = (res: { body: any }, type: string, label: string) =>
  expect(res.body.error.message, label).toMatch(
    new RegExp(`'${column(type)}'.*${type.replace(/[[\]()]/g, '\\$&')}|${type.replace(/[[\]()]/g, '\\$&')}.*'${column(type)}'`),
  );

describe('literals a policy does not keep', () => {
  it('are a 400 naming the column and its type for a row filter and a mask value, and store nothing', async () => {
    for (const [type, values] of UNSTORABLE)
      for (const value of values) {
        const label = `${type} ${stringifyJson(value)}`;
        const term = column(type);
        for (const [what, body] of [
          ['filter', { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term, value } }],
          ['in', { kind: 'row-filter', roles: ['analysts'], filter: { type: 'not', child: { type: 'in', term, values: [value] } } }],
          ['mask', { kind: 'column-mask', roles: ['analysts'], masks: [{ column: term, action: 'mask-to-fixed-value', value }] }],
        ] as const) {
          const res = await admin('POST', POLICIES, body);
          refused(res, `${what} ${label}`);
          namesColumn(res, type, `${what} ${label}`);
          expect(res.body.error.message, `${what} ${label}`).not.toMatch(/\bnull is not/);
        }
      }
    for (const [type, texts] of RAW)
      for (const text of texts) {
        const term = column(type);
        const filtered = await admin('POST', POLICIES, `{"kind":"row-filter","roles":["analysts"],"filter":{"type":"lt","term":"${term}","value":${text}}}`);
        refused(filtered, `filter ${type} ${text}`);
        namesColumn(filtered, type, `filter ${type} ${text}`);
        // A mask's value that overflows a double is refused by the body's schema (the protocol's validator), by its path.
        const masked = await admin(
          'POST',
          POLICIES,
          `{"kind":"column-mask","roles":["analysts"],"masks":[{"column":"${term}","action":"mask-to-fixed-value","value":${text}}]}`,
        );
        expect([masked.status, masked.body.error.type], `mask ${type} ${text}`).toEqual([400, 'BadRequestException']);
      }
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });

  it('an update to such a literal is refused and keeps the stored policy', async () => {
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'lt', term: 'c_float', value: 1.5 } });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    const path = `${POLICIES}/${created.body.id}`;
    refused(await admin('PUT', path, { roles: ['analysts'], filter: { type: 'lt', term: 'c_float', value: 1e300 } }), 'update 1e300');
    expect((await admin('GET', path)).body.filter).toEqual({ type: 'lt', term: 'c_float', value: 1.5 });
    expect((await admin('DELETE', path)).status).toBe(204);
  });

  it('the values of the type around them are still taken, and a scan filter still takes the lenient forms', async () => {
    for (const [type, values] of STORABLE)
      for (const value of values) {
        const label = `${type} ${stringifyJson(value)}`;
        const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: column(type), value } });
        expect(created.status, `${label}: ${stringifyJson(created.body).slice(0, 300)}`).toBe(201);
        expect((await admin('DELETE', `${POLICIES}/${created.body.id}`)).status).toBe(204);
      }
    for (const value of [1e300, 'Infinity', 'NaN'])
      expect((await admin('POST', `${TABLE}/plan`, { filter: { type: 'lt', term: 'c_float', value } })).status, `plan ${value}`).toBe(200);
    expect((await admin('GET', POLICIES)).body.policies).toEqual([]);
  });
});

describe('a schema change under a policy literal', () => {
  const evolve = async (type: Record<string, string>) => {
    const md = (await admin('GET', TABLE)).body.metadata;
    const schema = md.schemas.find((x: { 'schema-id': number }) => x['schema-id'] === md['current-schema-id']);
    const fields = schema.fields.map((f: { name: string }) => (type[f.name] ? { ...f, type: type[f.name] } : f));
    return admin('POST', TABLE, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', 'schema-id': md['current-schema-id'] + 1, fields } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
  };

  it('is refused when it changes what the literal means (a date promoted to a timestamp), taken when it widens (int to long)', async () => {
    const before = (await admin('GET', TABLE)).body.metadata['current-schema-id'];
    const byDay = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'gt', term: 'c_date', value: 19_723 } });
    expect(byDay.status, stringifyJson(byDay.body)).toBe(201);
    const promoted = await evolve({ c_date: 'timestamp' });
    expect(promoted.status, stringifyJson(promoted.body)).toBe(400);
    expect(promoted.body.error.message).toMatch(new RegExp(`policy ${byDay.body.id} on table crm.typed does not fit the new schema .*written for date`));
    expect((await admin('GET', TABLE)).body.metadata['current-schema-id']).toBe(before);
    expect((await admin('GET', `${POLICIES}/${byDay.body.id}`)).body.filter).toEqual({ type: 'gt', term: 'c_date', value: 19_723 });
    expect((await admin('DELETE', `${POLICIES}/${byDay.body.id}`)).status).toBe(204);

    const masked = await admin('POST', POLICIES, {
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [{ column: 'c_int', action: 'mask-to-fixed-value', value: 7 }],
    });
    const filtered = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'lt', term: 'c_int', value: 10 } });
    expect([masked.status, filtered.status]).toEqual([201, 201]);
    const widened = await evolve({ c_int: 'long' });
    expect(widened.status, stringifyJson(widened.body)).toBe(200);
    for (const p of [masked, filtered]) expect((await admin('DELETE', `${POLICIES}/${p.body.id}`)).status).toBe(204);
  });
});
