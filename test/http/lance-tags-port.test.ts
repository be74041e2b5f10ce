/**
 * The LanceTagStore port's LanceDB adapter (lance-optimize/lancedb-tags.ts) against its contract
 * (test/persistence/lance-tags-contract.ts: one tag read alone, as a tag write's change event now reads it), and a tag
 * file corrupted directly in storage, in process on a file warehouse with the real Lance library on registered
 * datasets LanceDB wrote. ListTableTags (and GetTableTagVersion, which reads the list) answers a 400 code 13 naming
 * the tag (never retried: the same bytes are read again), the good tags' names not reported as bad; DeleteTableTag
 * removes the bad one, after which the tags list again. Both fail on the old code: the port had no single-tag read,
 * and the corrupted tag made ListTableTags a 503 ("temporarily unavailable", which Lance clients retry).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';
import { lanceTagStoreContract } from '../persistence/lance-tags-contract.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let dir = '';

/** A dataset LanceDB writes with versions 1 and 2 beside the namespace's tables, registered as `tp.<name>`. */
async function registered(name: string): Promise<string> {
  const db = await lancedb.connect(dir);
  const t = await db.createTable(name, [{ id: 1 }]);
  await t.add([{ id: 2 }]);
  t.close();
  db.close();
  const res = await admin('POST', `${L}/table/tp%24${name}/register`, { location: `${dir}/${name}.lance` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return `${dir}/${name}.lance`;
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/tp/create`, {})).status).toBe(200);
  const declared = await admin('POST', `${L}/table/tp%24probe/declare`, {});
  expect(declared.status).toBe(200);
  dir = path.dirname(fileURLToPath((declared.body.location as string).replace(/\/+$/, '')));
}, 60_000);
afterAll(async () => cat?.close());

lanceTagStoreContract('LanceDB', async () => {
  await registered('contract');
  const warehouse = await cat.lakegate.store.repository.getWarehouse('default');
  const actor = { tenant: warehouse!.tenant, description: 'test', key: 'test', members: [], admin: true, unrestricted: true };
  return { store: cat.lakegate.services.lance.tags['store']!, target: { warehouse: 'default', namespace: ['tp'], name: 'contract', actor } };
});

it('answers a tag file corrupted in storage as a 400 naming it, never a 503; DeleteTableTag removes it', async () => {
  const location = await registered('bent');
  const op = (name: string, body: Record<string, unknown> = {}) => admin('POST', `${L}/table/tp%24bent/${name}`, body);
  expect((await op('tags/create', { tag: 'good', version: 1 })).status).toBe(200);
  expect((await op('tags/create', { tag: 'bad', version: 2 })).status).toBe(200);
  for (const content of ['{not json', '{"branch":null}']) {
    writeFileSync(path.join(location, '_refs', 'tags', 'bad.json'), content);
    for (const res of [await op('tags/list'), await op('tags/version', { tag: 'good' })]) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.code).toBe(13);
      expect(res.body.error).toMatch(
        /^Table tp\.bent: the tag file of "bad" in its dataset's _refs\/tags\/ is no Lance tag, so its tags cannot be listed until DeleteTableTag removes it \(ListTableTags: a tag file of the table is not a Lance tag \(.* at line 1 column \d+\)\)$/,
      );
      expect(res.body.error).not.toMatch(/"good"/);
    }
  }
  expect((await op('tags/delete', { tag: 'bad' })).status).toBe(200);
  const listed = await op('tags/list');
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  expect(Object.keys(listed.body.tags)).toEqual(['good']);
}, 60_000);
