/**
 * Hostile input against the newest endpoints (maintenance and compaction, Lance branches and tags, Trino's OPA
 * decisions, explain), in process on SQLite with authentication. Three classes were found; each assertion here failed
 * before its fix:
 * - an error answer carried a large input back: an unknown privilege of any length quoted whole (grant, revoke,
 *   explain), a role or warehouse name of any length in a 404, the request path in not-found messages and in Lance's
 *   `instance` (even in the 414 that refuses a path segment for its length). Messages are now at most 1024 characters
 *   and an echoed path at most 256 (http/mappers/bounded-text.ts); a privilege is quoted cut to 100.
 * - text the catalog database cannot keep as sent (U+0000, a lone UTF-16 surrogate) reached it: a role member or an
 *   explained subject named so was stored as U+FFFD here (and on PostgreSQL every such request was a 500:
 *   test/interop/hostile-unstorable-text-postgres.test.ts). Now a 400 saying why, nothing stored
 *   (persistence/storable-text.ts).
 * - a Lance branch or tag listing's page token that is no name was refused with the branch or tag name rule, which
 *   the caller never typed: now "page_token is not a token this listing hands out" (lance/versions/checks.ts).
 * No defect was found in the maintenance options, schedules and thresholds, in the Lance branch and tag operations'
 * names, versions and paging, or in the OPA endpoints' shapes and batch bounds: 4xx in each model, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
const L = '/lance/default/v1';
const BIG = 'y'.repeat(12_000);
const TABLE = { type: 'table', warehouse: 'default', namespace: ['hn'], name: 't' };
const explain = (subject: unknown, privilege = 'table:read-data', securable: unknown = TABLE) =>
  admin('POST', '/management/v1/explain', { subject, privilege, securable });

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['hn'] })).status).toBe(200);
  const fields = [{ id: 1, name: 'id', type: 'long', required: false }];
  expect((await admin('POST', '/v1/default/namespaces/hn/tables', { name: 't', schema: { type: 'struct', fields } })).status).toBe(200);
  expect((await admin('POST', '/management/v1/roles', { name: 'hn-role' })).status).toBe(201);
  expect((await admin('POST', `${L}/namespace/hl/create`, {})).status).toBe(200);
});
afterAll(async () => cat?.close());

/** An Iceberg-model error of `status` whose whole answer stays small. */
const smallError = (res: { status: number; body: any }, status: number) => {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
  expect(res.body.error.code).toBe(status);
  expect(res.body.error.message.length).toBeLessThanOrEqual(1024);
  expect(JSON.stringify(res.body).length).toBeLessThan(1200);
};

describe('error answers never carry a large input back', () => {
  it('quotes an unknown privilege cut, in grant, revoke and explain, and still lists the known ones', async () => {
    for (const [path, body] of [
      ['/management/v1/grants', { role: 'hn-role', securable: TABLE, privilege: BIG }],
      ['/management/v1/grants', { role: 'hn-role', securable: TABLE, privileges: ['table:read-data', BIG] }],
      ['/management/v1/grants/revoke', { role: 'hn-role', securable: TABLE, privilege: BIG }],
    ] as const) {
      const res = await admin('POST', path, body);
      smallError(res, 400);
      expect(res.body.error.message).toMatch(/^unknown privilege "y+…; known: .*table:read-data/);
    }
    const explained = await explain({ kind: 'principal', name: 'nobody' }, BIG);
    smallError(explained, 400);
    expect(explained.body.error.message).toMatch(/^unknown privilege "y{98}…$/);
  });

  it('cuts a long warehouse name in a 404 (a role name is refused by its rule), and the path in an unknown endpoint’s message', async () => {
    smallError(await admin('POST', '/management/v1/grants', { role: BIG, securable: TABLE, privilege: 'table:read-data' }), 400);
    const noWarehouse = await explain({ kind: 'principal', name: 'x' }, 'table:read-data', { type: 'warehouse', warehouse: BIG });
    smallError(noWarehouse, 404);
    expect(noWarehouse.body.error.message).toMatch(/^Warehouse does not exist: y+…$/);
    const long = Array(14).fill('a'.repeat(1000)).join('/');
    for (const path of [`/v1/${long}`, `/management/v1/${long}`, `/management/v1/trino-opa/${long}`]) {
      const res = await admin(path.includes('trino-opa') ? 'POST' : 'GET', path, path.includes('trino-opa') ? {} : undefined);
      smallError(res, 404);
      expect(res.body.error.message.length).toBeLessThan(300);
    }
  });

  it("cuts Lance's instance to 256 characters, in the 414 for a long segment and the 406 for an unknown path", async () => {
    const tooLong = await admin('POST', `${L}/table/${'x'.repeat(10_000)}/branches/list`, {});
    expect(tooLong.status).toBe(414);
    expect(tooLong.body).toMatchObject({ code: 13, error: 'A path segment of the request URL is too long' });
    expect(tooLong.body.instance).toMatch(/^\/lance\/default\/v1\/table\/x+…$/);
    expect(tooLong.body.instance.length).toBe(256);
    const unknown = await admin('POST', `${L}/table/${Array(14).fill('a'.repeat(1000)).join('/')}`, {});
    expect(unknown.status).toBe(406);
    expect(unknown.body.code).toBe(0);
    expect(JSON.stringify(unknown.body).length).toBeLessThan(700);
    // A short path is named whole, as before.
    expect((await admin('POST', `${L}/table/hl%24nope/branches/list`, {})).body).toMatchObject({ code: 4, instance: `${L}/table/hl%24nope/branches/list` });
  });
});

describe('page tokens of the Lance branch and tag listings', () => {
  it('refuses one that is no name of the listing as a page token (it named the branch or tag rule), and follows the ones handed out', async () => {
    expect((await admin('POST', `${L}/table/hl%24pt/declare`, {})).status).toBe(200);
    for (const kind of ['branches', 'tags']) {
      for (const token of ['%00', 'a%2F..%2Fb', encodeURIComponent('x'.repeat(300)), '..']) {
        const res = await admin('POST', `${L}/table/hl%24pt/${kind}/list?page_token=${token}`, {});
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body).toMatchObject({ code: 13, error: expect.stringMatching(/^page_token is not a token this listing hands out/) });
      }
      const inBody = await admin('POST', `${L}/table/hl%24pt/${kind}/list`, { page_token: 'a\u0007' });
      expect(inBody.body).toMatchObject({ code: 13, error: expect.stringMatching(/^page_token/) });
      // A token that is a name (handed out or not) pages after it, as before.
      expect(await admin('POST', `${L}/table/hl%24pt/${kind}/list?page_token=zzz`, {})).toMatchObject({ status: 200 });
    }
  });
});

describe('text the catalog cannot store as sent', () => {
  const members = async () => ((await admin('GET', '/management/v1/roles/hn-role/members')).body.members as Array<{ name: string }>).map((m) => m.name);

  it('is a 400 saying why for a role member, an explained subject or group, a grant’s role and a warehouse, and nothing is stored', async () => {
    for (const [name, why] of [
      ['a\u0000b', /U\+0000/],
      ['a\ud800b', /lone UTF-16 surrogate/],
      ['\udc00', /lone UTF-16 surrogate/],
    ] as const) {
      for (const kind of ['user', 'group']) {
        const added = await admin('POST', '/management/v1/roles/hn-role/members', { kind, name, issuer: 'asserted' });
        expect(added.status, JSON.stringify(added.body)).toBe(400);
        expect(added.body.error.message).toMatch(why);
        const explained = await explain({ kind, name, issuer: 'asserted' });
        expect(explained.status, JSON.stringify(explained.body)).toBe(400);
        expect(explained.body.error.message).toMatch(why);
      }
      expect((await explain({ kind: 'user', name: 'ann', issuer: 'asserted', groups: [name] })).status).toBe(400);
      expect((await explain({ kind: 'principal', name })).status).toBe(400);
      expect((await admin('POST', '/management/v1/grants', { role: name, securable: TABLE, privilege: 'table:read-data' })).status).toBe(400);
      expect((await explain({ kind: 'principal', name: 'x' }, 'table:read-data', { type: 'warehouse', warehouse: name })).status).toBe(400);
    }
    expect((await admin('GET', '/management/v1/warehouses/a%00b/namespaces/hn/tables/t/maintenance')).status).toBe(400);
    expect((await admin('POST', '/lance/a%00b/v1/table/hl%24t/tags/list', {})).body).toMatchObject({ code: 13 });
    expect(await members()).toEqual([]);
    // Well-formed names of any script, a pair of surrogates among them, are taken and listed as sent.
    for (const name of ['anna', 'émile', '数据', 'a\ud83d\ude00b']) {
      expect((await admin('POST', '/management/v1/roles/hn-role/members', { kind: 'user', name, issuer: 'asserted' })).status).toBe(201);
    }
    expect((await members()).sort()).toEqual(['anna', 'émile', '数据', 'a\ud83d\ude00b'].sort());
  });
});
