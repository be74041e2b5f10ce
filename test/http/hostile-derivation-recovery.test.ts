/**
 * The derivation recovery sweep (catalog/lance/policy-recovery.ts) against an intent whose storage fails, in process
 * on SQLite and a file warehouse: the intents after it are recovered all the same (their datasets deleted, their
 * intents forgotten), the failing one is kept for a later round, and the round fails naming how many could not be
 * recovered (the sweep logs it). The failure is made real: the failing intent's dataset is a regular file where a
 * directory should be, which the file store's listing refuses (ENOTDIR), as a bucket gone or credentials revoked make
 * an object store refuse. Before, the first failing intent ended every round, so the intents after it, in any
 * warehouse, were never recovered: this file fails on the old code.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTENT_FORGET_AFTER_MS } from '../../packages/server/src/catalog/lance/policy-recovery.js';
import { type RecoveryCatalog, startRecoveryCatalog } from '../support/derivation-recovery.js';

let rc: RecoveryCatalog;

beforeAll(async () => {
  rc = await startRecoveryCatalog('rc');
});
afterAll(async () => rc?.cat.close());

it('recovers the intents after one whose storage fails, keeps that one, and fails the round naming it', async () => {
  const intents = rc.cat.lakegate.store.derivationIntents;
  const at = Date.now() - INTENT_FORGET_AFTER_MS - 60_000;
  // The failing intent, oldest: its dataset is a file, not a directory.
  const poisonDir = rc.failingDataset('poison');
  await intents.add(rc.intent('poison', poisonDir, at));
  // Two intents after it, their tables gone, their datasets written.
  const dirs: string[] = [];
  for (const [i, id] of ['after-1', 'after-2'].entries()) {
    const dir = rc.goneDataset(id, ['_versions.manifest']);
    await intents.add(rc.intent(id, dir, at + 1 + i));
    dirs.push(dir);
  }
  await expect(rc.recover()).rejects.toThrow(/^1 of 3 derivation intents could not be recovered \(kept for the next round\): /);
  for (const [i, dir] of dirs.entries()) expect(existsSync(path.join(dir, `lance-v1-after-${i + 1}.lance`)), dir).toBe(false);
  expect((await intents.pending(Number.MAX_SAFE_INTEGER, 100)).map((x) => x.id)).toEqual(['poison']);
  expect(readdirSync(poisonDir)).toEqual(['lance-v1-poison.lance']);
  // The next round tries it again (and fails again, alone); once its storage answers, it is recovered and forgotten.
  await expect(rc.recover()).rejects.toThrow(/^1 of 1 derivation intents/);
  await intents.remove('poison');
  expect(await rc.recover()).toEqual({ datasets: 0, objects: 0, forgotten: 0 });
});
