/**
 * Tag files planted directly in a Lance dataset's `_refs/tags/` under names no tag operation accepts (a `%` not
 * followed by two hex digits, unicode, spaces), in process on a file warehouse with the real Lance library on a
 * registered dataset LanceDB wrote. Lance's listing fails on such a file as "not found" (it percent-encodes the name
 * again); ListTableTags and GetTableTagVersion name the bad files in a 400 code 13 (tag-files.ts), saying to remove
 * them from storage (DeleteTableTag takes no such name); once removed, the tags list again.
 *
 * Before: read as a tag file lost to a racing delete, retried, then a 503 code 17 ("temporarily unavailable", which
 * Lance clients retry forever); and a name that is no percent-encoding (`100%off`) failed its decoding.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let dir = '';

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/tf/create`, {})).status).toBe(200);
  const declared = await admin('POST', `${L}/table/tf%24probe/declare`, {});
  expect(declared.status).toBe(200);
  dir = path.dirname(fileURLToPath((declared.body.location as string).replace(/\/+$/, '')));
}, 60_000);
afterAll(async () => cat?.close());

it('answers tag files of names no tag may have with a 400 code 13 naming them, never a 503 or 500', async () => {
  const db = await lancedb.connect(dir);
  const t = await db.createTable('planted', [{ id: 1 }]);
  t.close();
  db.close();
  expect((await admin('POST', `${L}/table/tf%24planted/register`, { location: `${dir}/planted.lance` })).status).toBe(200);
  const op = (name: string, body: Record<string, unknown> = {}) => admin('POST', `${L}/table/tf%24planted/${name}`, body);
  expect((await op('tags/create', { tag: 'good', version: 1 })).status).toBe(200);
  const tags = path.join(dir, 'planted.lance', '_refs', 'tags');
  for (const file of ['100%off.json', '%E0%A4%A.json', 'ünï cødé.json']) {
    writeFileSync(path.join(tags, file), '{not json');
    for (const res of [await op('tags/list'), await op('tags/version', { tag: 'good' })]) {
      expect(res.status, `${file}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.code).toBe(13);
      expect(res.body.error).toContain(`"${file.slice(0, -'.json'.length)}"`);
      expect(res.body.error).toContain('removed from storage');
    }
    rmSync(path.join(tags, file));
  }
  const listed = await op('tags/list');
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  expect(Object.keys(listed.body.tags)).toEqual(['good']);
}, 60_000);
