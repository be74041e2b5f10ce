/**
 * The derivation recovery sweep (catalog/lance/policy-recovery.ts) reads a page of 100 intents a round. With more than
 * 100 intents whose storage keeps failing, all older than one whose table is gone and whose dataset is still there,
 * that one is recovered by the second round: the sweep records each intent it tried and kept, and pages by the last
 * attempt (never tried first), so the failing ones rotate to the back. In process on SQLite and a file warehouse; the
 * failures are real (each failing intent's dataset is a regular file where a directory should be: ENOTDIR, as a bucket
 * gone or credentials revoked make an object store refuse). Before, each round read the 100 oldest, the same failing
 * ones every round, and the good intent was never recovered: this file fails on the old code.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTENT_FORGET_AFTER_MS } from '../../packages/server/src/catalog/lance/policy-recovery.js';
import { type RecoveryCatalog, startRecoveryCatalog } from '../support/derivation-recovery.js';

const FAILING = 120;
let rc: RecoveryCatalog;

beforeAll(async () => {
  rc = await startRecoveryCatalog('rs');
});
afterAll(async () => rc?.cat.close());

it(`recovers an intent behind ${FAILING} older ones that keep failing, by the second round`, async () => {
  const intents = rc.cat.lakegate.store.derivationIntents;
  // Young enough to be kept after a deletion (not forgotten), old enough for the sweep: each round tries them all again.
  const at = Date.now() - INTENT_FORGET_AFTER_MS / 2;
  for (let i = 0; i < FAILING; i++) {
    const id = `poison-${String(i).padStart(3, '0')}`;
    await intents.add(rc.intent(id, rc.failingDataset(id), at + i));
  }
  // The good one, younger than every failing one: its table gone, its dataset written.
  const dir = rc.goneDataset('good');
  const dataset = path.join(dir, 'lance-v1-good.lance');
  await intents.add(rc.intent('good', dir, at + FAILING));

  // The first round takes the 100 oldest, every one failing.
  await expect(rc.recover()).rejects.toThrow(/^100 of 100 derivation intents could not be recovered/);
  expect(existsSync(dataset)).toBe(true);
  // The second: the 21 intents not tried yet first, the good one among them, then 79 of the tried ones.
  await expect(rc.recover()).rejects.toThrow(/^99 of 100 derivation intents could not be recovered/);
  expect(existsSync(dataset)).toBe(false);
  // Every failing intent is still kept for later rounds; the good one too, until it is an hour old (deleting again).
  expect((await intents.pending(Number.MAX_SAFE_INTEGER, 1_000)).length).toBe(FAILING + 1);
});
