/**
 * A Lance operation the catalog runs through LanceDB on its private loopback namespace (UpdateFieldMetadata, CreateTable
 * with data) that loses its commit race, in process and deterministically: the test holds the operation's
 * CreateTableVersion (the catalog's own service, wrapped) until another writer's version of the same table has landed
 * through the public surface, then lets it go on, so the catalog answers it 409. What the caller sees then: the Lance
 * namespace's conflict answer (409, `{ error, code: 14 ConcurrentModification, instance }`) where Lance refuses to
 * rebase, never a 503; a rebase or a retry where Lance allows one (a 200 on the next version); and in every case the
 * other writer's version intact. How a lost race is told: lanceConflict in lance-optimize/lancedb-loopback.ts.
 * optimize's own (a preempted job plans again, then 409): test/http/lance-optimize-races.test.ts. The hold: test/support/held-commits.ts.
 */
import { copyFileSync } from 'node:fs';
import * as lancedb from '@lancedb/lancedb';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { holding } from '../support/held-commits.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin = '';
let url = '';

const call = async (path: string, payload?: unknown) => {
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url: path,
    payload: JSON.stringify(payload ?? {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
};
const update = (table: string, body: unknown) => call(`${L}/table/race%24${table}/update_field_metadata`, body);
const versions = async (table: string) =>
  ((await call(`${L}/table/race%24${table}/version/list`)).body!.versions as { version: number; metadata: Record<string, string> }[]).sort(
    (a, b) => a.version - b.version,
  );
const ipcOf = (ids: number[]) => Buffer.from(tableToIPC(tableFromArrays({ id: Int32Array.from(ids), name: ids.map((i) => `n${i}`) }), 'stream'));
const createWithData = (table: string, ids = [1, 2]) =>
  cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/race%24${table}/create`,
    payload: ipcOf(ids),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${admin}` },
  });
const open = async (table: string) =>
  (await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${admin}` } })).openTable(table, ['race']);
/** Another writer, LanceDB through the public surface: its version lands before the held commit goes on. */
const otherWriter = (table: string, write: (t: lancedb.Table) => Promise<unknown>) => async () => {
  const t = await open(table);
  try {
    await write(t);
  } finally {
    t.close();
  }
};
const metadataOf = async (table: string) => {
  const t = await open(table);
  try {
    return Object.fromEntries((await t.schema()).fields.map((f) => [f.name, Object.fromEntries(f.metadata)]));
  } finally {
    t.close();
  }
};

const anyCommit = () => true;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  expect((await call(`${L}/namespace/race/create`)).status).toBe(200);
});
afterAll(async () => cat?.close());

it('UpdateFieldMetadata losing to a change of the same field answers 409 ConcurrentModification; the other version is kept', async () => {
  expect((await createWithData('same')).statusCode).toBe(200);
  const { result, held } = await holding(
    cat,
    anyCommit,
    () => update('same', { updates: [{ path: 'name', metadata: { theirs: 'yes' } }] }),
    () => update('same', { updates: [{ path: 'name', metadata: { mine: 'yes' } }] }),
  );
  expect(held).toBe(1);
  expect(result.status, JSON.stringify(result.body)).toBe(409);
  expect(result.body).toEqual({
    error: expect.stringMatching(
      /^UpdateFieldMetadata lost to a concurrent commit of the table \(incompatible with concurrent transaction UpdateConfig at version 2\)/,
    ),
    code: 14,
    instance: `${L}/table/race%24same/update_field_metadata`,
  });
  expect((await versions('same')).map((v) => v.version)).toEqual([1, 2]);
  expect((await metadataOf('same')).name).toEqual({ theirs: 'yes' });
});

it('UpdateFieldMetadata beside an append or another field’s change is rebased by Lance: 200 on the next version, both kept', async () => {
  expect((await createWithData('commute')).statusCode).toBe(200);
  const appended = await holding(
    cat,
    anyCommit,
    otherWriter('commute', (t) => t.add([{ id: 3, name: 'n3' }])),
    () => update('commute', { updates: [{ path: 'name', metadata: { mine: 'yes' } }] }),
  );
  expect(appended.result).toMatchObject({ status: 200, body: { version: 3, fields: { name: { mine: 'yes' } } } });
  const other = await holding(
    cat,
    anyCommit,
    () => update('commute', { updates: [{ path: 'id', metadata: { theirs: 'yes' } }] }),
    () => update('commute', { updates: [{ path: 'name', metadata: { again: 'yes' } }] }),
  );
  expect(other.result).toMatchObject({ status: 200, body: { version: 5, fields: { name: { mine: 'yes', again: 'yes' } } } });
  expect((await versions('commute')).map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
  expect(await metadataOf('commute')).toEqual({ id: { theirs: 'yes' }, name: { mine: 'yes', again: 'yes' } });
  const t = await open('commute');
  expect(await t.countRows()).toBe(3);
  t.close();
});

it('UpdateFieldMetadata preempted by an added column runs again on the new version; preempted each time, 409 after three attempts', async () => {
  expect((await createWithData('columns')).statusCode).toBe(200);
  let added = 0;
  const addColumn = otherWriter('columns', (t) => t.addColumns([{ name: `c${++added}`, valueSql: 'id * 2' }]));
  const once = await holding(cat, anyCommit, addColumn, () => update('columns', { updates: [{ path: 'name', metadata: { mine: 'yes' } }] }));
  expect(once.result).toMatchObject({ status: 200, body: { version: 3, fields: { name: { mine: 'yes' } } } });
  expect(Object.keys(await metadataOf('columns'))).toEqual(['id', 'name', 'c1']);

  const always = await holding(cat, anyCommit, addColumn, () => update('columns', { updates: [{ path: 'id', metadata: { k: 'v' } }] }), 3);
  expect(always.held).toBe(3);
  expect(always.result.status, JSON.stringify(always.result.body)).toBe(409);
  expect(always.result.body).toMatchObject({
    code: 14,
    error: expect.stringMatching(/preempted by concurrent transaction Merge at version 6, after 3 attempts/),
  });
  // The three added columns are kept; nothing of the refused call is.
  expect((await versions('columns')).map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
  const after = await metadataOf('columns');
  expect(Object.keys(after)).toEqual(['id', 'name', 'c1', 'c2', 'c3', 'c4']);
  expect(after.id).toEqual({});
});

it('CreateTable with data losing version 1 to another client answers 409 and keeps that client’s table and version', async () => {
  // The other client commits the declared table's version 1 first (a copy of the manifest LanceDB staged).
  const { result } = await holding(
    cat,
    anyCommit,
    async (input) => {
      const staged = `/${String(input.manifestPath)}`;
      copyFileSync(staged, `${staged}.theirs`);
      const theirs = await call(`${L}/table/race%24created/version/create`, {
        version: 1,
        manifest_path: `${String(input.manifestPath)}.theirs`,
        manifest_size: input.manifestSize,
      });
      expect(theirs.status).toBe(200);
    },
    () => createWithData('created'),
  );
  expect(result.statusCode, result.body).toBe(409);
  expect(JSON.parse(result.body)).toEqual({
    error: expect.stringMatching(/^Another client committed the first version of race\.created while CreateTable wrote its data/),
    code: 14,
    instance: `${L}/table/race%24created/create`,
  });
  const kept = await versions('created');
  expect(kept.map((v) => [v.version, v.metadata['lakegate.created-by']])).toEqual([[1, expect.any(String)]]);
  const t = await open('created');
  expect(await t.countRows()).toBe(2);
  t.close();
});
