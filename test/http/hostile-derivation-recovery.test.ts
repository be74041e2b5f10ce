/**
 * The derivation recovery sweep (catalog/lance/policy-recovery.ts) against an intent whose storage fails, in process
 * on SQLite and a file warehouse: the intents after it are recovered all the same (their datasets deleted, their
 * intents forgotten), the failing one is kept for a later round, and the round fails naming how many could not be
 * recovered (the sweep logs it). The failure is made real: the failing intent's dataset is a regular file where a
 * directory should be, which the file store's listing refuses (ENOTDIR), as a bucket gone or credentials revoked make
 * an object store refuse. Before, the first failing intent ended every round, so the intents after it, in any
 * warehouse, were never recovered: this file fails on the old code.
 */
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTENT_FORGET_AFTER_MS } from '../../packages/server/src/catalog/lance/policy-recovery.js';
import type { DerivationIntent } from '../../packages/server/src/catalog/ports/derivation-intents.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let root = '';

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  // The default warehouse's storage root, where its Lance namespace puts a table.
  expect((await admin('POST', '/lance/default/v1/namespace/rc/create', {})).status).toBe(200);
  const declared = await admin('POST', '/lance/default/v1/table/rc%24probe/declare', {});
  expect(declared.status).toBe(200);
  root = path.dirname(path.dirname(fileURLToPath((declared.body.location as string).replace(/\/+$/, ''))));
});
afterAll(async () => cat?.close());

const intent = (id: string, dir: string, createdAtMs: number): DerivationIntent => ({
  id,
  warehouse: 'default',
  tableId: `gone-${id}`,
  tableUuid: '00000000-0000-4000-8000-000000000000',
  tableLocation: pathToFileURL(path.join(root, 'gone', id)).href,
  dataset: pathToFileURL(path.join(dir, `lance-v1-${id}.lance`)).href,
  side: pathToFileURL(path.join(dir, `lance-v1-${id}.json`)).href,
  createdAtMs,
});

it('recovers the intents after one whose storage fails, keeps that one, and fails the round naming it', async () => {
  const intents = cat.lakegate.store.derivationIntents;
  const at = Date.now() - INTENT_FORGET_AFTER_MS - 60_000;
  // The failing intent, oldest: its dataset is a file, not a directory.
  const poisonDir = path.join(root, 'gone', 'poison', '_lakegate', 'policy', 'x');
  mkdirSync(poisonDir, { recursive: true });
  writeFileSync(path.join(poisonDir, 'lance-v1-poison.lance'), 'not a dataset');
  await intents.add(intent('poison', poisonDir, at));
  // Two intents after it, their tables gone, their datasets written.
  const dirs: string[] = [];
  for (const [i, id] of ['after-1', 'after-2'].entries()) {
    const dir = path.join(root, 'gone', id, '_lakegate', 'policy', 'x');
    mkdirSync(path.join(dir, `lance-v1-${id}.lance`, 'data'), { recursive: true });
    writeFileSync(path.join(dir, `lance-v1-${id}.lance`, 'data', 'a.lance'), 'rows');
    writeFileSync(path.join(dir, `lance-v1-${id}.lance`, '_versions.manifest'), 'manifest');
    await intents.add(intent(id, dir, at + 1 + i));
    dirs.push(dir);
  }
  const recover = () => cat.lakegate.services.lance.tables.policyReads.recover();
  await expect(recover()).rejects.toThrow(/^1 of 3 derivation intents could not be recovered \(kept for the next round\): /);
  for (const [i, dir] of dirs.entries()) expect(existsSync(path.join(dir, `lance-v1-after-${i + 1}.lance`)), dir).toBe(false);
  expect((await intents.pending(Number.MAX_SAFE_INTEGER, 100)).map((x) => x.id)).toEqual(['poison']);
  expect(readdirSync(poisonDir)).toEqual(['lance-v1-poison.lance']);
  // The next round tries it again (and fails again, alone); once its storage answers, it is recovered and forgotten.
  await expect(recover()).rejects.toThrow(/^1 of 1 derivation intents/);
  await intents.remove('poison');
  expect(await recover()).toEqual({ datasets: 0, objects: 0, forgotten: 0 });
});
