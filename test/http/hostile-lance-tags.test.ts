/**
 * Hostile input against the Lance tag operations (ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag,
 * DeleteTableTag) and DescribeTable's `tag`/`version`, in process on a file warehouse (listening on 127.0.0.1 for the
 * catalog's LanceDB), on a registered dataset (its tags its own) and on a table of catalog-managed versions. Each
 * refusal is a 4xx in Lance's model ({error, code, instance}; 400 13, 404 8/11, 409 9), and afterwards the tags
 * stored on the dataset are what they were.
 *
 * Races: tag operations on one tag at once (delete/update/create/describe/version/list) are answered 200, 404 code 8 or
 * 409 code 9, never a 5xx. Before, Lance losing such a race (the tag file deleted by another request between its
 * check and its read, delete or rewrite) surfaced as a 503 code 17 for DeleteTableTag, UpdateTableTag, ListTableTags and
 * GetTableTagVersion, and as a 400 "not a Lance tag" for DescribeTable by tag.
 *
 * A table only declared (DeclareTable, nothing written), of catalog-managed versions or not, has no tags and no
 * versions: an empty list, 404 code 8 for a tag, 404 code 11 for a version to tag. Before, every tag operation on one
 * was a 503 code 17 (the library found no dataset to open).
 *
 * Branch names Lance takes as no ref ('..' in them, '.lock' at the end) are a 400 code 13 in every branch operation;
 * before, CreateTableBranch answered 409 "has a branch already" and left a version on a branch no ref names.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, makeVector, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let dir = '';

const TABLES = ['own', 'kept'] as const;
type Which = (typeof TABLES)[number];
const call = (table: Which, op: string, body: unknown) => admin('POST', `${L}/table/ht%24${table}/${op}`, body as Record<string, unknown>);

/** The dataset's own tags, as LanceDB reads them on storage. */
async function storedTags(name: string): Promise<Record<string, number>> {
  const db = await lancedb.connect(dir);
  const t = await db.openTable(name);
  try {
    const listed = await (await t.tags()).list();
    return Object.fromEntries(Object.entries(listed).map(([tag, c]) => [tag, (c as { version: number }).version]));
  } finally {
    t.close();
    db.close();
  }
}

/** The tags ListTableTags answers, name → version. */
async function listed(table: Which): Promise<Record<string, number>> {
  const res = await call(table, 'tags/list', {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Object.fromEntries(Object.entries(res.body.tags as Record<string, { version: number }>).map(([tag, c]) => [tag, c.version]));
}

const lanceError = (res: { status: number; body: any }, status: number, code: number, label: string) => {
  expect(res.status, `${label}: ${JSON.stringify(res.body)?.slice(0, 300)}`).toBe(status);
  expect(res.body, label).toMatchObject({ error: expect.any(String), code, instance: expect.stringMatching(/^\/lance\//) });
  expect(JSON.stringify(res.body), label).not.toMatch(/\.rs:\d+|at [\w.]+ \(|node_modules/);
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/ht/create`, {})).status).toBe(200);
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/ht%24kept/create`,
    payload: Buffer.from(tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2, 3])) }), 'stream')),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  dir = path.dirname(fileURLToPath((created.json().location as string).replace(/\/+$/, '')));
  const db = await lancedb.connect(dir);
  const t = await db.createTable('own', [{ id: 1 }, { id: 2 }]);
  await t.add([{ id: 3 }]);
  await (await t.tags()).create('first', 1);
  t.close();
  db.close();
  expect((await admin('POST', `${L}/table/ht%24own/register`, { location: `${dir}/own.lance` })).status).toBe(200);
  expect((await call('kept', 'tags/create', { tag: 'first', version: 1 })).status).toBe(200);
  // Tables only declared: one of catalog-managed versions here, one whose versions are its own in a warehouse so set.
  expect((await admin('POST', `${L}/table/ht%24declared/declare`, {})).status).toBe(200);
  await createFileLake(admin, cat, 'own-versions', [], { 'lance.managed-versioning': 'false' });
  expect((await admin('POST', '/lance/own-versions/v1/namespace/ht/create', {})).status).toBe(200);
  const declared = await admin('POST', '/lance/own-versions/v1/table/ht%24declared/declare', {});
  expect(declared.body).toMatchObject({ managed_versioning: false });
}, 120_000);
afterAll(async () => cat?.close());

/** Tag names no operation takes: 400 code 13 from every tag operation and from DescribeTable. */
const BAD_TAGS: Array<[string, unknown]> = [
  ['slash', 'a/b'],
  ['dot-dot', '..'],
  ['dot', '.'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['tab', '\t'],
  ['space', 'a b'],
  ['unicode', 'ét\u00e9'],
  ['emoji', '\u{1F600}'],
  ['right-to-left mark', 'a\u200fb'],
  // Names Lance refuses as refs: refused alike by every operation (before, CreateTableTag's 400 came from the library
  // after authorization, while GetTableTagVersion and DescribeTable answered 404 code 8).
  ['a leading dot', '.a'],
  ['a trailing dot', 'a.'],
  ['two dots inside', 'a..b'],
  ['three dots', '...'],
  ['a .lock ending', 'a.lock'],
  // Lance takes it, but the Node binding lists it as its answer's prototype (before: created, then never listed).
  ['__proto__', '__proto__'],
  ['201 characters', 'x'.repeat(201)],
  ['100,000 characters', 'x'.repeat(100_000)],
  ['percent-encoded slash', 'a%2Fb'],
  ['backslash', 'a\\b'],
  ['number', 7],
  ['boolean', true],
  ['array', ['first']],
  ['object', { tag: 'first' }],
];

/** Versions: refused by shape (400 13) or not on the dataset (404 11). */
const VERSIONS: Array<[string, unknown, number, number]> = [
  ['negative', -1, 400, 13],
  ['fraction', 1.5, 400, 13],
  ['string', '1', 400, 13],
  ['boolean', true, 400, 13],
  ['array', [1], 400, 13],
  ['object', { version: 1 }, 400, 13],
  ['2^53', 2 ** 53, 400, 13],
  ['1e300', 1e300, 400, 13],
  ['0', 0, 404, 11],
  ['past the latest', 99, 404, 11],
  ['2^53 - 1', 2 ** 53 - 1, 404, 11],
];

/** Request bodies of the wrong shape: 400 code 13 from every operation. */
const BAD_BODIES: Array<[string, string]> = [
  ['array', '[]'],
  ['string', '"first"'],
  ['number', '1'],
  ['truncated JSON', '{"tag":'],
  ['__proto__ key', '{"__proto__":{"tag":"first"},"tag":"x","version":1}'],
  ['id of another table', '{"id":["ht","other"],"tag":"x","version":1}'],
  ['id not a list', '{"id":"ht$own","tag":"x","version":1}'],
  ['branch not a string', '{"tag":"x","version":1,"branch":7}'],
  ['version beyond a double', '{"tag":"x","version":1e400}'],
];

describe.each(TABLES)('on %s', (table) => {
  it('refuses hostile tag names in every operation with 400 code 13', async () => {
    for (const [label, tag] of BAD_TAGS) {
      for (const [op, body] of [
        ['tags/version', { tag }],
        ['tags/delete', { tag }],
        ['tags/create', { tag, version: 1 }],
        ['tags/update', { tag, version: 1 }],
        ['tags/list', { page_token: tag }],
        ['describe', { tag }],
      ] as const)
        lanceError(await call(table, op, body), 400, 13, `${op} ${label}`);
    }
    // No tag at all: required by the tag operations (400), no tag for DescribeTable (the latest version).
    for (const tag of [undefined, '', null]) {
      for (const op of ['tags/version', 'tags/delete']) lanceError(await call(table, op, { tag }), 400, 13, `${op} ${String(tag)}`);
      for (const op of ['tags/create', 'tags/update']) lanceError(await call(table, op, { tag, version: 1 }), 400, 13, `${op} ${String(tag)}`);
    }
    expect((await call(table, 'describe', { tag: '' })).status).toBe(200);
  });

  it('refuses versions by shape (400 13) or as absent (404 11), in tag writes and DescribeTable', async () => {
    for (const [label, version, status, code] of VERSIONS) {
      lanceError(await call(table, 'tags/create', { tag: 'v', version }), status, code, `create ${label}`);
      lanceError(await call(table, 'tags/update', { tag: 'first', version }), status, code, `update ${label}`);
      lanceError(await call(table, 'describe', { version }), status, code, `describe ${label}`);
    }
    lanceError(await call(table, 'describe', { tag: 'first', version: 1 }), 400, 13, 'describe tag and version');
    lanceError(await call(table, 'describe', { tag: 'first', branch: 'dev' }), 400, 13, 'describe tag and branch');
  });

  it('refuses bodies of the wrong shape and garbage paging with 400 code 13', async () => {
    for (const [label, body] of BAD_BODIES)
      for (const op of ['tags/create', 'tags/update', 'tags/delete', 'tags/version', 'tags/list', 'describe'])
        // A version or branch is a field of the tag writes only (the other operations' bodies have none to check).
        if (/^tags\/(create|update)$/.test(op) || !/version|branch/.test(label)) lanceError(await call(table, op, body), 400, 13, `${op} ${label}`);
    for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=99999999999999999999', 'limit=1&limit=2', 'page_token=..', 'page_token=a%00b'])
      lanceError(await admin('POST', `${L}/table/ht%24${table}/tags/list?${query}`, {}), 400, 13, `list ?${query}`);
    for (const body of [{ limit: 0 }, { limit: 1001 }, { limit: '1' }, { page_token: 7 }])
      lanceError(await call(table, 'tags/list', body), 400, 13, `list ${JSON.stringify(body)}`);
    // A well-formed token past every tag: an empty page.
    expect((await call(table, 'tags/list', { page_token: 'zzz' })).body).toEqual({ tags: {} });
  });

  it('answers tag operations racing on one tag with 200, 404 code 8 or 409 code 9, never a 5xx', async () => {
    const allowed = new Set(['200', '404:8', '409:9']);
    for (let round = 0; round < 6; round++) {
      expect((await call(table, 'tags/create', { tag: 'race', version: 1 })).status).toBe(200);
      const answers = await Promise.all([
        call(table, 'tags/delete', { tag: 'race' }),
        call(table, 'tags/update', { tag: 'race', version: 1 }),
        call(table, 'describe', { tag: 'race' }),
        call(table, 'tags/version', { tag: 'race' }),
        call(table, 'tags/delete', { tag: 'race' }),
        call(table, 'tags/create', { tag: 'race', version: 1 }),
        call(table, 'tags/delete', { tag: 'race' }),
        call(table, 'tags/list', {}),
      ]);
      const seen = answers.map((r) => (r.status === 200 ? '200' : `${r.status}:${r.body?.code}`));
      expect(
        seen.filter((s) => !allowed.has(s)),
        `round ${round}: ${answers.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 160)}`).join(' | ')}`,
      ).toEqual([]);
      const after = await call(table, 'tags/delete', { tag: 'race' });
      expect([200, 404]).toContain(after.status);
    }
    // Concurrent creates of one tag: one wins, the others are told it exists.
    const creates = await Promise.all(Array.from({ length: 6 }, () => call(table, 'tags/create', { tag: 'once', version: 1 })));
    expect(creates.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await call(table, 'tags/delete', { tag: 'once' })).status).toBe(200);
  }, 120_000);

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'treats a tag named like an object key (%s) as any other tag: absent 404 code 8, then created, listed, read, moved, deleted',
    async (tag) => {
      // Before, an absent one was "found" through the prototype (GetTableTagVersion 200 without a version).
      lanceError(await call(table, 'tags/version', { tag }), 404, 8, `version of absent ${tag}`);
      lanceError(await call(table, 'tags/update', { tag, version: 1 }), 404, 8, `update of absent ${tag}`);
      lanceError(await call(table, 'tags/delete', { tag }), 404, 8, `delete of absent ${tag}`);
      lanceError(await call(table, 'describe', { tag }), 404, 8, `describe by absent ${tag}`);
      expect((await call(table, 'tags/create', { tag, version: 1 })).status).toBe(200);
      expect(await listed(table)).toEqual({ first: 1, [tag]: 1 });
      expect((await call(table, 'tags/version', { tag })).body).toEqual({ version: 1 });
      expect((await call(table, 'tags/update', { tag, version: 1 })).status).toBe(200);
      expect((await call(table, 'describe', { tag })).body).toMatchObject({ version: 1 });
      expect((await call(table, 'tags/delete', { tag })).status).toBe(200);
      expect(await listed(table)).toEqual({ first: 1 });
    },
    60_000,
  );

  it("names the table in a missing tag's 404 (code 8)", async () => {
    const res = await call(table, 'tags/version', { tag: 'absent' });
    lanceError(res, 404, 8, 'version absent');
    expect(res.body.error).toBe(`Table ht.${table} has no tag "absent"`);
  });

  it('keeps the stored tags as they were', async () => {
    expect(await listed(table)).toEqual({ first: 1 });
    expect((await call(table, 'tags/version', { tag: 'first' })).body).toEqual({ version: 1 });
    expect((await call(table, 'describe', { tag: 'first' })).body).toMatchObject({ version: 1 });
  });
});

it.each([
  ['of catalog-managed versions', `${L}/table/ht%24declared`],
  ['whose versions are its own', '/lance/own-versions/v1/table/ht%24declared'],
])('answers a table only declared (%s) as having no tags and no versions', async (_kind, at) => {
  const declared = (op: string, body: Record<string, unknown>) => admin('POST', `${at}/${op}`, body);
  expect(await declared('tags/list', {})).toMatchObject({ status: 200, body: { tags: {} } });
  lanceError(await declared('tags/version', { tag: 'a' }), 404, 8, 'version');
  lanceError(await declared('tags/update', { tag: 'a', version: 1 }), 404, 8, 'update');
  lanceError(await declared('tags/delete', { tag: 'a' }), 404, 8, 'delete');
  lanceError(await declared('tags/create', { tag: 'a', version: 1 }), 404, 11, 'create');
  lanceError(await declared('describe', { tag: 'a' }), 404, 8, 'describe by tag');
  // Still refused by shape first.
  lanceError(await declared('tags/create', { tag: 'a/b', version: 1 }), 400, 13, 'create bad tag');
  expect((await declared('describe', { check_declared: true })).body).toMatchObject({ is_only_declared: true });
});

it('refuses branch names Lance takes as no ref with 400 code 13 in every branch operation, and stores no version on them', async () => {
  // Before, CreateTableBranch passed these to Lance, which committed the branch's first version through the catalog and
  // only then refused the ref: a 409 "has a branch already" (code 23), and a version left on a branch no ref names.
  const branches = async () => Object.keys((await call('kept', 'branches/list', {})).body.branches as Record<string, unknown>);
  const before = await branches();
  for (const name of ['a.lock', 'x/a.lock', 'a..b', 'team/x..y']) {
    lanceError(await call('kept', 'branches/create', { name }), 400, 13, `create ${name}`);
    lanceError(await call('kept', 'branches/create', { name: 'fine', from_branch: name }), 400, 13, `create from ${name}`);
    lanceError(await call('kept', 'branches/delete', { name }), 400, 13, `delete ${name}`);
    lanceError(await call('kept', 'describe', { branch: name }), 400, 13, `describe ${name}`);
    lanceError(await call('kept', `version/list?branch=${encodeURIComponent(name)}`, {}), 400, 13, `versions of ${name}`);
  }
  expect(await branches()).toEqual(before);
  expect((await call('kept', 'version/list', {})).body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
}, 60_000);

it("leaves the registered dataset's own tags, as its Lance reads them, unchanged", async () => {
  expect(await storedTags('own')).toEqual({ first: 1 });
});
