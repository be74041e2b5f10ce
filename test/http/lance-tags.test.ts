/**
 * The tag operations (lance-namespace 0.13: ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag,
 * DeleteTableTag) and DescribeTable's `tag`, in process on a file warehouse (listening on 127.0.0.1, so the catalog's
 * LanceDB reaches its private loopback namespace), on a registered dataset (its versions and tags its own, in its
 * `_versions/` and `_refs/tags/`) and on a table of catalog-managed versions. Tags a client's Lance wrote are listed
 * and resolved; tags written through the namespace are Lance's own refs, read back by LanceDB directly; refusals are
 * 4xx in Lance's model with its codes (400 13, 403 15, 404 8/11, 406 0, 409 9). Before this, every tag operation was
 * an unserved path (406) and DescribeTable with a tag of a registered dataset a 404 code 11 ("no version in the
 * catalog"), as was one with a version of it. Each tag write sends one change event (issue 58), read through the pull
 * API as the table's events are and delivered to a real webhook receiver (test/support/webhook-receiver.ts); a
 * refused write sends none. Before that, tag writes were audited only.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, makeVector, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { grant, addMember } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';
import { waitFor } from '../support/wait-for.js';
import { firstOfEach, startWebhookReceiver } from '../support/webhook-receiver.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let reader: Caller;
let nobody: Caller;
let dir = '';

const own = (op: string, body: Record<string, unknown> = {}, send: Send = admin) => send('POST', `${L}/table/tg%24own/${op}`, body);
const managed = (op: string, body: Record<string, unknown> = {}, send: Send = admin) => send('POST', `${L}/table/tg%24kept/${op}`, body);

/** The dataset's own tags, as LanceDB reads them on storage. */
async function lanceTags(): Promise<Record<string, number>> {
  const db = await lancedb.connect(dir);
  const t = await db.openTable('own');
  try {
    const listed = await (await t.tags()).list();
    return Object.fromEntries(Object.entries(listed).map(([name, c]) => [name, (c as { version: number }).version]));
  } finally {
    t.close();
    db.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' }, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/tg/create`, {})).status).toBe(200);
  // A table of catalog-managed versions, version 1 written by the catalog's LanceDB.
  const a = cat.admin();
  const ipc = tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2, 3])) }), 'stream');
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/tg%24kept/create`,
    payload: Buffer.from(ipc),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  // A dataset LanceDB wrote beside it with versions 1 to 3 and a tag of its own, then registered.
  dir = path.dirname(fileURLToPath((created.json().location as string).replace(/\/+$/, '')));
  const db = await lancedb.connect(dir);
  const t = await db.createTable('own', [{ id: 1 }, { id: 2 }]);
  await t.add([{ id: 3 }]);
  await t.delete('id = 1');
  await (await t.tags()).create('first', 1);
  t.close();
  db.close();
  expect((await admin('POST', `${L}/table/tg%24own/register`, { location: `${dir}/own.lance` })).status).toBe(200);
  reader = await signedInPrincipal(cat, 'tg-reader');
  nobody = await signedInPrincipal(cat, 'tg-nobody');
  await grant(admin, 'tg-readers', ['table:read-metadata'], { type: 'table', warehouse: 'default', namespace: ['tg'], name: 'own' });
  await addMember(admin, 'tg-readers', { kind: 'principal', name: reader.id });
});
afterAll(async () => cat?.close());

it("lists and resolves the tags a registered dataset's own Lance wrote, and DescribeTable opens the version a tag or a version names", async () => {
  const listed = await own('tags/list', {}, reader.send);
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  expect(Object.keys(listed.body.tags)).toEqual(['first']);
  expect(listed.body.tags.first).toMatchObject({ version: 1 });
  expect(listed.body.tags.first.manifestSize).toBeGreaterThan(0);
  expect((await own('tags/version', { tag: 'first' }, reader.send)).body).toEqual({ version: 1 });

  const tagged = await own('describe', { tag: 'first' });
  expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
  expect(tagged.body).toMatchObject({ version: 1 });
  const detailed = await own('describe', { tag: 'first', load_detailed_metadata: true });
  expect(detailed.status, JSON.stringify(detailed.body)).toBe(200);
  expect(detailed.body).toMatchObject({ version: 1, stats: { num_fragments: 1, num_deleted_rows: 0 } });
  // A version of the dataset's own, asked for directly; one it does not have is a 404 code 11.
  expect((await own('describe', { version: 2, load_detailed_metadata: true })).body).toMatchObject({ version: 2, stats: { num_fragments: 2 } });
  expect(await own('describe', { version: 99 })).toMatchObject({ status: 404, body: { code: 11 } });
});

it('creates, moves and deletes tags of a registered dataset through Lance, which its own Lance reads back', async () => {
  expect((await own('tags/create', { tag: 'second', version: 2 })).status).toBe(200);
  expect(await lanceTags()).toEqual({ first: 1, second: 2 });
  expect((await own('tags/update', { tag: 'second', version: 3 })).status).toBe(200);
  expect(await lanceTags()).toEqual({ first: 1, second: 3 });
  expect((await own('describe', { tag: 'second' })).body).toMatchObject({ version: 3 });
  expect((await own('tags/delete', { tag: 'second' })).status).toBe(200);
  expect(await lanceTags()).toEqual({ first: 1 });
  const audit = await admin('GET', '/management/v1/audit?limit=200');
  const events = (audit.body.events ?? audit.body.records ?? []) as Array<{ action?: string; event?: string }>;
  expect(JSON.stringify(events)).toMatch(/lance\.tag\.created/);
});

it("refuses in Lance's model: bad input 400, a missing tag 404 code 8, a missing version 404 code 11, a taken name 409 code 9, a branch 406, no privilege 403", async () => {
  for (const body of [
    { tag: 'a/b', version: 1 },
    { tag: '..', version: 1 },
    { tag: 'x', version: -1 },
    { tag: 'x', version: 1.5 },
    { version: 1 },
    { tag: 'x' },
  ]) {
    const res = await own('tags/create', body);
    expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 13 } });
  }
  for (const body of [{ limit: 0 }, { limit: 1001 }, { page_token: 'a/b' }, { page_token: 7 }])
    expect(await own('tags/list', body), JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 13 } });
  for (const body of [
    { tag: 'x'.repeat(201), version: 1 },
    { tag: 'x', version: 2 ** 60 },
    { tag: 'x', version: '1' },
    { id: ['tg', 'other'], tag: 'x', version: 1 },
  ])
    expect((await own('tags/create', body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
  expect(await own('tags/version', { tag: 'absent' })).toMatchObject({ status: 404, body: { code: 8 } });
  expect(await own('tags/delete', { tag: 'absent' })).toMatchObject({ status: 404, body: { code: 8 } });
  expect(await own('tags/update', { tag: 'absent', version: 1 })).toMatchObject({ status: 404, body: { code: 8 } });
  expect(await own('tags/create', { tag: 'far', version: 99 })).toMatchObject({ status: 404, body: { code: 11 } });
  expect(await own('tags/create', { tag: 'first', version: 2 })).toMatchObject({ status: 409, body: { code: 9 } });
  expect(await own('tags/create', { tag: 'dev1', version: 1, branch: 'dev' })).toMatchObject({ status: 406, body: { code: 0 } });
  expect(await own('tags/create', { tag: 'mine', version: 1 }, reader.send)).toMatchObject({ status: 403, body: { code: 15 } });
  expect(await own('tags/delete', { tag: 'first' }, reader.send)).toMatchObject({ status: 403, body: { code: 15 } });
  expect([403, 404]).toContain((await own('tags/list', {}, nobody.send)).status);
  expect(await admin('POST', `${L}/table/tg%24absent/tags/list`, {})).toMatchObject({ status: 404, body: { code: 4 } });
  // Nothing of these reached the dataset.
  expect(await lanceTags()).toEqual({ first: 1 });
});

it('pages the tags in name order', async () => {
  for (const tag of ['b', 'a', 'c']) expect((await own('tags/create', { tag, version: 2 })).status).toBe(200);
  const first = await own('tags/list', { limit: 2 });
  expect(Object.keys(first.body.tags)).toEqual(['a', 'b']);
  const second = await own('tags/list', { limit: 2, page_token: first.body.page_token });
  expect(Object.keys(second.body.tags)).toEqual(['c', 'first']);
  expect(second.body).not.toHaveProperty('page_token');
  for (const tag of ['a', 'b', 'c']) expect((await own('tags/delete', { tag })).status).toBe(200);
});

it("answers a caller a row policy restricts the table's own tags, not the policy-derived dataset's (a tag names a version, no rows)", async () => {
  const policies = '/management/v1/warehouses/default/namespaces/tg/tables/own/policies';
  const filter = await admin('POST', policies, { kind: 'row-filter', roles: ['tg-readers'], filter: { type: 'eq', term: 'id', value: 2 } });
  expect(filter.status, JSON.stringify(filter.body)).toBe(201);
  try {
    const listed = await own('tags/list', {}, reader.send);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(Object.keys(listed.body.tags)).toEqual(['first']);
    expect((await own('tags/version', { tag: 'first' }, reader.send)).body).toEqual({ version: 1 });
  } finally {
    expect((await admin('DELETE', `${policies}/${filter.body.id}`)).status).toBe(204);
  }
});

it('serves the same operations on a table of catalog-managed versions', async () => {
  expect((await managed('tags/create', { tag: 'one', version: 1 })).status).toBe(200);
  expect((await managed('tags/list')).body.tags).toMatchObject({ one: { version: 1 } });
  expect((await managed('describe', { tag: 'one' })).body).toMatchObject({ version: 1 });
  expect(await managed('tags/create', { tag: 'two', version: 2 })).toMatchObject({ status: 404, body: { code: 11 } });
  expect((await managed('tags/delete', { tag: 'one' })).status).toBe(200);
  expect((await managed('tags/list')).body.tags).toEqual({});
});

/** The warehouse's tag events after `after`, as `send` may read them through the pull API. */
async function tagEvents(after: string, send: Send = admin): Promise<Array<Record<string, any>>> {
  const res = await send('GET', `/management/v1/events?warehouse=default&after=${after}&limit=1000`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.events as Array<Record<string, any>>).filter((e) => String(e.type).startsWith('io.lakegate.lance-table.tag-'));
}

it('sends one change event per tag write (created, updated with the version it named before, deleted), none for a refused one, read as the table is and delivered to a webhook sink', async () => {
  const receiver = await startWebhookReceiver();
  const sink = await admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
  expect(sink.status, JSON.stringify(sink.body)).toBe(201);
  receiver.secret = sink.body.secret;
  const before = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next as string;
  const registered = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.events.find(
    (e: Record<string, any>) => e.type === 'io.lakegate.lance-table.registered' && e.data.name === 'own',
  );
  expect(registered).toBeDefined();
  expect((await own('tags/create', { tag: 'evt', version: 2 })).status).toBe(200);
  // Refused writes: a taken name (409), a version the dataset does not have (404), a missing tag (404), no privilege (403).
  expect(await own('tags/create', { tag: 'evt', version: 3 })).toMatchObject({ status: 409, body: { code: 9 } });
  expect(await own('tags/update', { tag: 'evt', version: 99 })).toMatchObject({ status: 404, body: { code: 11 } });
  expect(await own('tags/delete', { tag: 'absent' })).toMatchObject({ status: 404, body: { code: 8 } });
  expect((await own('tags/update', { tag: 'evt', version: 1 }, reader.send)).status).toBe(403);
  expect((await own('tags/update', { tag: 'evt', version: 3 })).status).toBe(200);
  expect((await own('tags/delete', { tag: 'evt' })).status).toBe(200);

  const events = await tagEvents(before);
  expect(events.map((e) => e.type)).toEqual([
    'io.lakegate.lance-table.tag-created',
    'io.lakegate.lance-table.tag-updated',
    'io.lakegate.lance-table.tag-deleted',
  ]);
  const common = {
    warehouse: 'default',
    namespace: ['tg'],
    name: 'own',
    'table-uuid': registered.data['table-uuid'],
    caller: { principal: registered.data.caller.principal, kind: 'principal', 'request-id': expect.any(String) },
  };
  for (const e of events) expect(e).toMatchObject({ subject: 'tg/own', partitionkey: registered.data['table-uuid'] });
  expect(events[0]!.data).toEqual({ ...common, tag: 'evt', version: 2 });
  expect(events[1]!.data).toEqual({ ...common, tag: 'evt', version: 3, 'previous-version': 2 });
  expect(events[2]!.data).toEqual({ ...common, tag: 'evt', version: 3 });
  // One log line each, derived from the recorded event (docs/events.md, "Log lines"), naming the tag.
  const logged = cat
    .logs()
    .split('\n')
    .filter((l) => l.includes('"component":"catalog"') && l.includes('lance-table.tag-'))
    .map((l) => JSON.parse(l) as { msg: string; event: Record<string, unknown> })
    .filter((l) => l.event.tag === 'evt');
  expect(logged.map((l) => [l.msg, l.event.tag, l.event.version, l.event.eventId])).toEqual(
    events.map((e) => [e.type.slice('io.lakegate.'.length), 'evt', e.data.version, e.id]),
  );
  // Read as the table's other events: a reader of the table sees them, a caller without a grant on it none.
  expect((await tagEvents(before, reader.send)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  const hidden = await nobody.send('GET', `/management/v1/events?warehouse=default&after=${before}&limit=1000`);
  expect(hidden.status).toBe(200);
  expect(hidden.body.events.filter((e: Record<string, any>) => String(e.type).includes('.tag-'))).toEqual([]);
  // The sink receives them as any other event: signed, once each, in order, the same CloudEvents.
  try {
    const delivered = await waitFor(
      'the tag events at the webhook',
      async () => firstOfEach(receiver.accepted).filter((r) => String(r.body.type).startsWith('io.lakegate.lance-table.tag-')),
      (got) => got.length >= 3,
    );
    expect(delivered.map((r) => r.body)).toEqual(events);
    expect(receiver.badSignatures).toBe(0);
  } finally {
    expect((await admin('DELETE', `/management/v1/warehouses/default/event-sinks/${sink.body.sink.id}`)).status).toBe(204);
    await receiver.close();
  }
});
