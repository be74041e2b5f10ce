/**
 * Hostile input against the newest compaction options of a maintenance request (partial-progress with max-commits,
 * max-file-group-size-bytes, target-file-size-bytes, sort and z-order specs) and against the token endpoint's SHA-256
 * client secrets, in process. Extreme numbers, wrong types, unknown keys and contradictory options are a 400 in the
 * Iceberg model naming the field, and the table is left as it was (no new snapshot); wrong, truncated, over-long or
 * non-base64url secrets and unknown client ids are OAuth's 401 invalid_client (413 for a body over the limit), and the
 * right secret still gets a token. No defect was found here: these cases guard the behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';
import { CONTACTS_SCHEMA } from '../support/policy-contacts.js';

let cat: TestCatalog;
let admin: Send;
const TABLE = '/v1/default/namespaces/mx/tables/contacts';
const MAINTENANCE = '/management/v1/warehouses/default/namespaces/mx/tables/contacts/maintenance';

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['mx'] })).status).toBe(200);
  expect((await admin('POST', '/v1/default/namespaces/mx/tables', { name: 'contacts', schema: CONTACTS_SCHEMA })).status).toBe(200);
});
afterAll(async () => cat?.close());

const field = (sourceId: number, transform = 'identity', direction = 'asc') => ({ 'source-id': sourceId, transform, direction, 'null-order': 'nulls-first' });

const REFUSED: Array<[string, Record<string, unknown>, RegExp]> = [
  ['max-commits 0', { 'partial-progress': { enabled: true, 'max-commits': 0 } }, /max-commits must be >= 1/],
  ['max-commits 1e308', { 'partial-progress': { enabled: true, 'max-commits': 1e308 } }, /max-commits must be <= 1000/],
  ['max-commits a string', { 'partial-progress': { enabled: true, 'max-commits': '5' } }, /max-commits must be integer/],
  ['enabled a string', { 'partial-progress': { enabled: 'true' } }, /enabled must be boolean/],
  ['partial-progress true', { 'partial-progress': true }, /partial-progress must be object/],
  ['partial-progress null', { 'partial-progress': null }, /partial-progress must be object/],
  ['max-commits without enabled', { 'partial-progress': { 'max-commits': 3 } }, /enabled is required/],
  ['max-commits with enabled false', { 'partial-progress': { enabled: false, 'max-commits': 3 } }, /applies with partial-progress.enabled true/],
  ['an unknown partial-progress key', { 'partial-progress': { enabled: true, foo: 1 } }, /foo is not a field the contract knows/],
  ['partial progress in process', { 'partial-progress': { enabled: true, 'max-commits': 3 } }, /applies with the spark executor/],
  ['a group of 1 byte', { 'max-file-group-size-bytes': 1 }, /max-file-group-size-bytes must be >= 1048576/],
  ['a negative group', { 'max-file-group-size-bytes': -1 }, /max-file-group-size-bytes must be >= 1048576/],
  ['a group of 2^63', { 'max-file-group-size-bytes': 2 ** 63 }, /max-file-group-size-bytes must be integer/],
  ['a fractional group', { 'max-file-group-size-bytes': 1.5e9 + 0.5 }, /max-file-group-size-bytes must be integer/],
  ['a group as a string', { 'max-file-group-size-bytes': '1000000000' }, /max-file-group-size-bytes must be integer/],
  ['a target of 1e20', { 'target-file-size-bytes': 1e20 }, /target-file-size-bytes must be integer/],
  ['a target of 0', { 'target-file-size-bytes': 0 }, /target-file-size-bytes must be >= 1048576/],
  ['binpack with a sort order', { strategy: 'binpack', 'sort-order': { fields: [field(1)] } }, /does not go with strategy binpack/],
  ['binpack with a z-order', { strategy: 'binpack', 'sort-order': { zorder: { 'source-ids': [1] } } }, /does not go with strategy binpack/],
  ['sort on an unsorted table with no order', { strategy: 'sort' }, /needs a table with a default sort order/],
  ['strategy zorder (a sort order, not a strategy)', { strategy: 'zorder' }, /strategy must be equal to constant/],
  ['fields and zorder together', { 'sort-order': { zorder: { 'source-ids': [1] }, fields: [field(1)] } }, /not a field the contract knows/],
  ['a sort by a list', { strategy: 'sort', 'sort-order': { fields: [field(2)] } }, /cannot order by identity of a list column/],
  ['a sort by a struct', { strategy: 'sort', 'sort-order': { fields: [field(4)] } }, /cannot order by identity of a struct column/],
  ['a sort by a nested field', { strategy: 'sort', 'sort-order': { fields: [field(10)] } }, /field 10 is not a column of the current schema/],
  ['a sort by an unknown field', { strategy: 'sort', 'sort-order': { fields: [field(999)] } }, /field 999 is not a column/],
  ['bucket[0]', { strategy: 'sort', 'sort-order': { fields: [field(1, 'bucket[0]')] } }, /Invalid bucket width/],
  ['bucket[99999999999]', { strategy: 'sort', 'sort-order': { fields: [field(1, 'bucket[99999999999]')] } }, /Invalid bucket width/],
  ['truncate[0]', { strategy: 'sort', 'sort-order': { fields: [field(1, 'truncate[0]')] } }, /Invalid truncate width/],
  ['direction up', { strategy: 'sort', 'sort-order': { fields: [field(1, 'identity', 'up')] } }, /direction must be equal to constant/],
  ['a z-order by a struct', { 'sort-order': { zorder: { 'source-ids': [4] } } }, /cannot z-order by column address of type struct/],
  ['a z-order naming a column twice', { 'sort-order': { zorder: { 'source-ids': [1, 1] } } }, /named twice in zorder/],
  ['a z-order by field 2^31', { 'sort-order': { zorder: { 'source-ids': [2 ** 31] } } }, /field 2147483648 is not a column/],
  ['a z-order by field 2^53', { 'sort-order': { zorder: { 'source-ids': [2 ** 53] } } }, /source-ids\/0 must be integer/],
  ['var-length-contribution 0', { 'sort-order': { zorder: { 'source-ids': [1], 'var-length-contribution': 0 } } }, /var-length-contribution must be >= 1/],
  ['a sort-order list', { 'sort-order': [] }, /sort-order must be object/],
  ['a sort-order null', { 'sort-order': null }, /sort-order must be object/],
  ['a strategy null', { strategy: null }, /strategy must be string/],
  ['min-input-files 1', { 'min-input-files': 1 }, /min-input-files must be >= 2/],
  ['an unknown key', { frobnicate: 1 }, /frobnicate is not a field the contract knows/],
  ['a constructor key', { constructor: 1 }, /constructor is not a field the contract knows/],
];

describe('compaction options', () => {
  it.each(REFUSED)('refuses %s with 400 naming it, the table unchanged', async (_label, body, message) => {
    const before = (await admin('GET', TABLE)).body['metadata-location'];
    const res = await admin('POST', MAINTENANCE, { actions: ['rewrite-data-files'], ...body });
    expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 400, type: expect.any(String), message: expect.stringMatching(message) });
    expect((await admin('GET', TABLE)).body['metadata-location']).toBe(before);
  });

  it.each([
    ['a number past 64 bits', '{"actions":["rewrite-data-files"],"target-file-size-bytes":123456789012345678901234567890}', /must be integer/],
    ['truncated JSON', '{"actions":', /Malformed JSON/],
    ['a __proto__ key', '{"actions":["rewrite-data-files"],"__proto__":{"x":1}}', /"__proto__" is not allowed/],
    ['actions as a string', '{"actions":"rewrite-data-files"}', /actions must be array/],
  ])('refuses a body with %s (400)', async (_label, body, message) => {
    const res = await admin('POST', MAINTENANCE, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('runs the valid options it refused the extremes of', async () => {
    const res = await admin('POST', MAINTENANCE, {
      actions: ['rewrite-data-files'],
      'target-file-size-bytes': 1 << 20,
      'max-file-group-size-bytes': 1 << 30,
      'sort-order': { zorder: { 'source-ids': [1] } },
    });
    expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(200);
  });
});

describe('the token endpoint against wrong client secrets and ids', () => {
  const token = (form: Record<string, string> | string, headers: Record<string, string> = {}) =>
    cat.lakegate.app
      .inject({
        method: 'POST',
        url: '/v1/oauth/tokens',
        payload: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      })
      .then((r) => ({ status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> }));

  it('answers 401 invalid_client for every wrong secret and unknown id, 413 past the body limit, and a token for the right one', async () => {
    const { client_id: id, client_secret: secret } = cat.admin();
    const flipped = secret.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const wrong: Array<[string, string, string]> = [
      ['one character', id, 'a'],
      ['one short', id, secret.slice(0, -1)],
      ['one long', id, `${secret}a`],
      ['upper-cased', id, secret.toUpperCase()],
      ['not base64url', id, '~'.repeat(secret.length)],
      ['hex of the right length', id, 'ab'.repeat(32)],
      ['the first character changed', id, flipped],
      ['a NUL', id, '\u0000'],
      ['an unknown id', 'nope', secret],
      ['a path as the id', '../../etc', secret],
      ['the id with a trailing space', `${id} `, secret],
      ['the id upper-cased', id.toUpperCase(), secret],
    ];
    for (const [label, client_id, client_secret] of wrong) {
      const res = await token({ grant_type: 'client_credentials', client_id, client_secret });
      expect(res, label).toMatchObject({ status: 401, body: { error: 'invalid_client', error_description: expect.any(String) } });
      expect(JSON.stringify(res.body), label).not.toContain(secret);
    }
    for (const [label, headers] of [
      ['Basic not base64', { authorization: 'Basic !!!!' }],
      ['Basic without a colon', { authorization: `Basic ${Buffer.from('abc').toString('base64')}` }],
      ['Basic of bad percent-encoding', { authorization: `Basic ${Buffer.from('%ZZ:%ZZ').toString('base64')}` }],
    ] as const)
      expect(await token({ grant_type: 'client_credentials' }, headers), label).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await token({ grant_type: 'client_credentials', client_id: id, client_secret: 'x'.repeat(100_000) })).toMatchObject({
      status: 413,
      body: { error: 'invalid_request' },
    });
    expect(await token(`grant_type=client_credentials&client_id=${id}&client_secret=${secret}&client_secret=x`)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await token({ grant_type: 'client_credentials', client_id: id, client_secret: secret })).toMatchObject({
      status: 200,
      body: { access_token: expect.any(String) },
    });
  });
});
