/**
 * What a policy-derived Lance dataset's derivation leaves behind when its process dies before checking its table
 * (catalog/lance/policy-recovery.ts), in process on a file warehouse and SQLite with the real LanceDB deriver. The
 * death is simulated by a derivation that never returns after writing (its process would have died there: the
 * check, the side file, the removal of its intent never come), and writes landing after a purge's listing by setting
 * its files aside over the drop; the sweep's task runs on a clock moved forward:
 *  - its table dropped with purge before it wrote (the purge listed nothing of it): the files in the purged
 *    location are deleted once the intent is past its least age, and the intent forgotten after the hour;
 *  - its table live: the dataset no side file names is kept for the hour, then deleted;
 *  - a derivation that completed leaves no intent, and the live tables' files (data and derived) are never touched.
 * The real process death (SIGKILL of `lakegate serve`): test/interop/lance-derivation-crash.test.ts.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { LancePolicyDeriver } from '../../packages/server/src/catalog/ports/lance-policy.js';
import { INTENT_FORGET_AFTER_MS, INTENT_MIN_AGE_MS } from '../../packages/server/src/catalog/lance/policy-recovery.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { filesUnder, tableLeftForTheRead } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, type Caller } from '../support/principals.js';
import { tempDir } from '../support/temp.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let original: LancePolicyDeriver;
let offset = 0;

const describeAs = (send: Send, name: string) => send('POST', `${L}/table/lr%24${name}/describe`, {});
const reads = () => cat.lakegate.services.lance.tables.policyReads;
const intents = () => cat.lakegate.store.derivationIntents.pending(Number.MAX_SAFE_INTEGER, 100);
const DERIVED = /^_lakegate\/policy\/[^/]+\/lance-v\d+-[^/]+\.lance\//;

/** A table with a row filter for the analyst, its derivation left for the analyst's first read (its preparation fails). */
const createTable = (name: string, ids: number[]): Promise<{ dir: string }> =>
  tableLeftForTheRead(cat, admin, { namespace: 'lr', name }, ids, `recovery-analysts-${name}`, analyst.id, original);

/** The real deriver, writing its dataset and then never returning, as if its process died right after the write. */
function dieAfterWriting() {
  let written!: () => void;
  const wrote = new Promise<void>((r) => (written = r));
  reads().useDeriver({
    unavailable: () => original.unavailable(),
    inspect: (source) => original.inspect(source),
    derive: async (source, target, policy) => {
      await original.derive(source, target, policy);
      written();
      return new Promise<never>(() => undefined);
    },
  });
  return { wrote };
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock: { now: () => Date.now() + offset } });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/lr/create`, {})).status).toBe(200);
  analyst = await signedInPrincipal(cat, 'recovery-analyst');
  original = (reads() as unknown as { deriver: LancePolicyDeriver }).deriver;
});
afterAll(async () => cat?.close());

it('a derivation that died after writing into a location purged meanwhile: the sweep deletes its files, and nothing of a live table', async () => {
  // A live table its reader was answered a dataset of: that derivation completed, and left no intent.
  const live = await createTable('live', [1, 2, 3, 4]);
  const served = await describeAs(analyst.send, 'live');
  expect(served.status, stringifyJson(served.body)).toBe(200);
  expect(await intents()).toEqual([]);
  const liveFiles = filesUnder(live.dir);
  expect(liveFiles.some((f) => DERIVED.test(f))).toBe(true);

  const { dir } = await createTable('gone', [1, 2, 3, 4]);
  const dying = dieAfterWriting();
  const aside = tempDir();
  reads().flights.settleMs = 0;
  try {
    void describeAs(analyst.send, 'gone');
    await dying.wrote;
    // The writes land after the purge listed the location (as on another process): set aside over the drop, then back.
    const derived = path.join(dir, '_lakegate');
    cpSync(derived, aside.dir, { recursive: true });
    expect((await admin('POST', `${L}/table/lr%24gone/drop`, {})).status).toBe(200);
    expect(filesUnder(dir)).toEqual([]);
    cpSync(aside.dir, derived, { recursive: true });
  } finally {
    aside.cleanup();
    reads().flights.settleMs = undefined;
    reads().useDeriver(original);
  }
  // The purge came first: the dataset lies in the purged location, named by nothing but its intent.
  expect(filesUnder(dir).length).toBeGreaterThan(0);
  expect(filesUnder(dir).every((f) => DERIVED.test(f))).toBe(true);
  expect(await intents()).toHaveLength(1);

  // Younger than its least age: a derivation may be starting there; left alone.
  expect(await reads().recover()).toEqual({ datasets: 0, objects: 0, forgotten: 0 });
  expect(filesUnder(dir).length).toBeGreaterThan(0);

  offset = INTENT_MIN_AGE_MS + 1000;
  const left = filesUnder(dir).length;
  expect(await reads().recover()).toEqual({ datasets: 1, objects: left, forgotten: 0 });
  expect(filesUnder(dir)).toEqual([]);
  expect(filesUnder(live.dir)).toEqual(liveFiles);
  expect(cat.logs()).toMatch(/"type":"lance-table\.derivation-recovered"[^\n]*"reason":"table-gone"/);
  // Kept for the hour (each round deletes again what is there: nothing now, and nothing is counted), then forgotten.
  expect(await reads().recover()).toEqual({ datasets: 0, objects: 0, forgotten: 0 });
  offset = INTENT_FORGET_AFTER_MS + 1000;
  expect(await reads().recover()).toEqual({ datasets: 0, objects: 0, forgotten: 1 });
  expect(await intents()).toEqual([]);
  expect(filesUnder(live.dir)).toEqual(liveFiles);
  offset = 0;
});

it('a derivation that died before recording its dataset, its table live: the dataset is kept for the hour, then deleted', async () => {
  const { dir } = await createTable('alive', [1, 2, 3, 4]);
  const own = filesUnder(dir);
  const dying = dieAfterWriting();
  try {
    void describeAs(analyst.send, 'alive');
    await dying.wrote;
  } finally {
    reads().useDeriver(original);
  }
  const derived = filesUnder(dir).filter((f) => !own.includes(f));
  expect(derived.length).toBeGreaterThan(0);
  expect(derived.every((f) => DERIVED.test(f))).toBe(true);

  offset = INTENT_MIN_AGE_MS + 1000;
  expect(await reads().recover()).toEqual({ datasets: 0, objects: 0, forgotten: 0 });
  expect(filesUnder(dir)).toEqual([...own, ...derived].sort());

  offset = INTENT_FORGET_AFTER_MS + 1000;
  expect(await reads().recover()).toEqual({ datasets: 1, objects: derived.length, forgotten: 1 });
  // The table's own files are all there; the dataset no side file named is gone.
  expect(filesUnder(dir)).toEqual(own);
  expect(cat.logs()).toMatch(/"type":"lance-table\.derivation-recovered"[^\n]*"reason":"unnamed"/);
  offset = 0;
});
