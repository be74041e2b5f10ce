/**
 * The cleanup of a Lance table whose dataset manages its own versions (registered) on a warehouse WITHOUT a
 * maintenance schedule: a restricted read runs it (maintenance/scheduler.ts cleanAfterRead, the scheduled job's own
 * cleanUnmanagedDerived under the table's lease), at most once an hour per table, by the version the read found
 * latest: it marks a superseded derived dataset, removes it past the grace period, and leaves the live one and the
 * table's own files alone. In process on a file warehouse with the real LanceDB adapters, the clock moved forward.
 * Before, without a schedule such a table kept its superseded derived datasets until it was dropped.
 */
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { filesUnder, registeredLanceDataset, rowFilteredReader } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let parent = '';
let dataset = '';
/** The catalog's clock runs this far ahead: a scheduled job is due again once it passed the interval. */
let ahead = 0;

const describeAs = (send: Send) => send('POST', `${L}/table/pr%24ext/describe`, {});
/** Every file under the dataset's directory, relative to it. */
const files = (): string[] => filesUnder(dataset);
const present = (location: string) => {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  return existsSync(dir) && files().some((f) => f.startsWith(`${path.relative(dataset, dir)}/`));
};
const reads = () => cat.lakegate.services.lance.tables.policyReads;
/** A restricted read, then the cleanup it started. */
const read = async () => {
  // Signed in at each read: the clock moves by hours.
  const res = await describeAs(await analyst.signIn());
  expect(res.status, stringifyJson(res.body)).toBe(200);
  await Promise.all(reads().cleanups);
  return res.body.location as string;
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock: { now: () => Date.now() + ahead } });
  admin = await signInAdmin(cat);
  ({ parent, dataset } = await registeredLanceDataset(admin, 'pr'));
  analyst = await signedInPrincipal(cat, 'read-cleanup-analyst');
  await rowFilteredReader(admin, { namespace: 'pr', name: 'ext' }, 'read-cleanup-analysts', analyst.id);
});
afterAll(async () => cat?.close());

it("a restricted read cleans up a superseded derived dataset of a table managing its own versions, hourly at most, the live one and the table's files kept", async () => {
  const first = await read();
  expect(first).toMatch(/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v1-/);
  const db = await lancedb.connect(parent);
  const t = await db.openTable('ext');
  await t.add([{ id: 3, region: 'eu' }]);
  t.close();
  db.close();
  const own = () => files().filter((f) => !f.startsWith('_lakegate/'));
  const before = own();
  const mark = path.join(path.dirname(fileURLToPath(first)), 'lance-v1.superseded');
  // Version 2's read derives its dataset; the cleanup ran with the first read less than an hour ago: nothing yet.
  const second = await read();
  expect(second).toMatch(/\/lance-v2-/);
  expect(existsSync(mark)).toBe(false);
  // An hour on: the read's cleanup marks version 1's dataset, deleting nothing within the grace period.
  ahead += 3_600_000 + 1000;
  expect(await read()).toBe(second);
  expect(existsSync(mark)).toBe(true);
  expect(present(first)).toBe(true);
  // Past the grace period (the mark four days old), an hour on again: removed; the live one and the table's files stay.
  const past = new Date(Date.now() - 4 * 86_400_000);
  utimesSync(mark, past, past);
  expect(await read()).toBe(second);
  expect(present(first)).toBe(true);
  ahead += 3_600_000 + 1000;
  expect(await read()).toBe(second);
  expect(present(first)).toBe(false);
  expect(existsSync(mark)).toBe(false);
  expect(present(second)).toBe(true);
  expect(own()).toEqual(before);
});
