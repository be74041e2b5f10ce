/**
 * The derivation recovery sweep (catalog/lance/policy-recovery.ts) reads a page of 100 intents a round. With more than
 * 100 intents whose storage keeps failing, all older than one whose table is gone and whose dataset is still there,
 * that one is recovered by the second round: the sweep records each intent it tried and kept, and pages by the last
 * attempt (never tried first), so the failing ones rotate to the back. In process on SQLite and a file warehouse; the
 * failures are real (each failing intent's dataset is a regular file where a directory should be: ENOTDIR, as a bucket
 * gone or credentials revoked make an object store refuse). Before, each round read the 100 oldest, the same failing
 * ones every round, and the good intent was never recovered: this file fails on the old code.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTENT_FORGET_AFTER_MS } from '../../packages/server/src/catalog/lance/policy-recovery.js';
import type { DerivationIntent } from '../../packages/server/src/catalog/ports/derivation-intents.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin } from '../support/principals.js';

const FAILING = 120;
let cat: TestCatalog;
let admin: Send;
let root = '';

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/lance/default/v1/namespace/rs/create', {})).status).toBe(200);
  const declared = await admin('POST', '/lance/default/v1/table/rs%24probe/declare', {});
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

it(`recovers an intent behind ${FAILING} older ones that keep failing, by the second round`, async () => {
  const intents = cat.lakegate.store.derivationIntents;
  // Young enough to be kept after a deletion (not forgotten), old enough for the sweep: each round tries them all again.
  const at = Date.now() - INTENT_FORGET_AFTER_MS / 2;
  for (let i = 0; i < FAILING; i++) {
    const id = `poison-${String(i).padStart(3, '0')}`;
    const dir = path.join(root, 'gone', id, '_lakegate', 'policy', 'x');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `lance-v1-${id}.lance`), 'not a dataset');
    await intents.add(intent(id, dir, at + i));
  }
  // The good one, younger than every failing one: its table gone, its dataset written.
  const dir = path.join(root, 'gone', 'good', '_lakegate', 'policy', 'x');
  const dataset = path.join(dir, 'lance-v1-good.lance');
  mkdirSync(path.join(dataset, 'data'), { recursive: true });
  writeFileSync(path.join(dataset, 'data', 'a.lance'), 'rows');
  await intents.add(intent('good', dir, at + FAILING));

  const recover = () => cat.lakegate.services.lance.tables.policyReads.recover();
  // The first round takes the 100 oldest, every one failing.
  await expect(recover()).rejects.toThrow(/^100 of 100 derivation intents could not be recovered/);
  expect(existsSync(dataset)).toBe(true);
  // The second: the 21 intents not tried yet first, the good one among them, then 79 of the tried ones.
  await expect(recover()).rejects.toThrow(/^99 of 100 derivation intents could not be recovered/);
  expect(existsSync(dataset)).toBe(false);
  // Every failing intent is still kept for later rounds; the good one too, until it is an hour old (deleting again).
  expect((await intents.pending(Number.MAX_SAFE_INTEGER, 1_000)).length).toBe(FAILING + 1);
});
