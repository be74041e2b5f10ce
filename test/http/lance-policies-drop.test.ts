/**
 * A policy-derived Lance dataset (catalog/lance/policy-reads.ts) against its table's drop (catalog/lance/policy-lifecycle.ts),
 * in process on a file warehouse with the real LanceDB deriver: a derivation held (a latch in a wrapper of the real
 * deriver, after it wrote its dataset) while the table is dropped with purge, or dropped and created again under its
 * name, leaves nothing in the table's location and answers its reader a 404, never the dataset:
 *  - here, the drop aborts the derivation and waits for it before the purge;
 *  - as on another process (the drop does not wait for it: its bound set to 0 here), the derivation asks the catalog
 *    after writing, finds the table gone (or another one) and deletes what it wrote.
 * A rename while a derivation runs keeps the table: the reader is answered its dataset.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { LancePolicyDeriver } from '../../packages/server/src/catalog/ports/lance-policy.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { filesUnder, tableLeftForTheRead } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let original: LancePolicyDeriver;

const describeAs = (send: Send, name: string) => send('POST', `${L}/table/ld%24${name}/describe`, {});
const reads = () => cat.lakegate.services.lance.tables.policyReads;

/** A table with a row filter for the analyst, its derivation left for the analyst's first read (its preparation fails). */
const createTable = (name: string, ids: number[]): Promise<{ dir: string; uuid: string }> =>
  tableLeftForTheRead(cat, admin, { namespace: 'ld', name }, ids, `drop-analysts-${name}`, analyst.id, original);

/**
 * The real deriver, each derivation held after it wrote its dataset until released; `abortable`: the hold ends
 * when the catalog aborts the derivation (as this process's drop does), else it ignores that (as a derivation
 * running on another process never hears of it).
 */
function holdAfterWriting(abortable: boolean) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let written!: () => void;
  const reached = new Promise<void>((r) => (written = r));
  reads().useDeriver({
    unavailable: () => original.unavailable(),
    inspect: (source) => original.inspect(source),
    derive: async (source, target, policy, signal) => {
      const out = await original.derive(source, target, policy);
      written();
      const aborted = new Promise<never>((_, reject) => {
        if (abortable && signal !== undefined) signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      await Promise.race([gate, aborted]);
      return out;
    },
  });
  return { release, reached };
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/ld/create`, {})).status).toBe(200);
  analyst = await signedInPrincipal(cat, 'drop-analyst');
  original = (reads() as unknown as { deriver: LancePolicyDeriver }).deriver;
});
afterAll(async () => cat?.close());

it('a drop with purge while a derivation runs here aborts it and waits: nothing is left in the location, the reader gets a 404', async () => {
  const { dir, uuid } = await createTable('here', [1, 2, 3, 4]);
  const held = holdAfterWriting(true);
  const read = describeAs(analyst.send, 'here');
  await held.reached;
  expect(filesUnder(dir).some((f) => /^_lakegate\/policy\/[^/]+\/lance-v\d+-[^/]+\.lance\//.test(f))).toBe(true);
  expect(reads().flights.running(uuid)).toBe(1);
  const dropped = await admin('POST', `${L}/table/ld%24here/drop`, {});
  expect(dropped.status, stringifyJson(dropped.body)).toBe(200);
  held.release();
  const answer = await read;
  expect(answer.status, stringifyJson(answer.body)).toBe(404);
  expect(JSON.stringify(answer.body)).not.toMatch(/_lakegate/);
  expect(filesUnder(dir)).toEqual([]);
  expect(reads().flights.running(uuid)).toBe(0);
});

it('a derivation the drop does not wait for (as on another process) finds the table gone after writing and deletes what it wrote', async () => {
  const { dir } = await createTable('elsewhere', [1, 2, 3, 4]);
  const held = holdAfterWriting(false);
  reads().flights.settleMs = 0;
  try {
    const read = describeAs(analyst.send, 'elsewhere');
    await held.reached;
    const dropped = await admin('POST', `${L}/table/ld%24elsewhere/drop`, {});
    expect(dropped.status, stringifyJson(dropped.body)).toBe(200);
    // The purge ran while the derivation was held: its side file is still to be written, into the purged location.
    held.release();
    const answer = await read;
    expect(answer.status, stringifyJson(answer.body)).toBe(404);
    expect(filesUnder(dir)).toEqual([]);
  } finally {
    reads().flights.settleMs = undefined;
  }
});

it('dropped and created again under its name meanwhile: the reader gets a 404, the new table holds nothing of the old one', async () => {
  const { dir } = await createTable('again', [1, 2, 3, 4]);
  const held = holdAfterWriting(false);
  reads().flights.settleMs = 0;
  try {
    const read = describeAs(analyst.send, 'again');
    await held.reached;
    expect((await admin('POST', `${L}/table/ld%24again/drop`, {})).status).toBe(200);
    const recreated = await createTable('again', [5, 6, 7]);
    const before = filesUnder(recreated.dir);
    held.release();
    const answer = await read;
    expect(answer.status, stringifyJson(answer.body)).toBe(404);
    expect(filesUnder(recreated.dir)).toEqual(before);
    if (recreated.dir !== dir) expect(filesUnder(dir)).toEqual([]);
  } finally {
    reads().flights.settleMs = undefined;
  }
  // The new table's reader is answered the new table's dataset.
  reads().useDeriver(original);
  const fresh = await describeAs(analyst.send, 'again');
  expect(fresh.status, stringifyJson(fresh.body)).toBe(200);
  expect(fresh.body.location).toMatch(/_lakegate\/policy\//);
});

it('a rename while a derivation runs keeps the table: the reader is answered the dataset it derived', async () => {
  await createTable('renamed', [1, 2, 3, 4]);
  const held = holdAfterWriting(false);
  const read = describeAs(analyst.send, 'renamed');
  await held.reached;
  const renamed = await admin('POST', `${L}/table/ld%24renamed/rename`, { new_table_name: 'renamed2' });
  expect(renamed.status, stringifyJson(renamed.body)).toBe(200);
  held.release();
  const answer = await read;
  expect(answer.status, stringifyJson(answer.body)).toBe(200);
  expect(answer.body.location).toMatch(/_lakegate\/policy\//);
  expect(existsSync(fileURLToPath((answer.body.location as string).replace(/\/+$/, '')))).toBe(true);
  reads().useDeriver(original);
});
