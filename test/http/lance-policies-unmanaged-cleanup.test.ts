/**
 * The scheduled cleanup of a Lance table whose dataset manages its own versions (registered; never optimized by the
 * catalog): the maintenance schedule judges its policy-derived datasets by the dataset's latest version, as the Lance
 * library reads it, and marks then removes (past the grace period) a superseded one, the live one kept and the table's
 * own files untouched (catalog/maintenance/lance-optimize.ts cleanUnmanagedDerived). In process on a file warehouse
 * with the real LanceDB adapters, the scheduler driven by calling its tick. Before, such a table's superseded derived
 * datasets stayed until it was dropped.
 */
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

const describeAs = (send: Send) => send('POST', `${L}/table/pu%24ext/describe`, {});
/** Every file under the dataset's directory, relative to it. */
const files = (): string[] => filesUnder(dataset);
const present = (location: string) => {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  return existsSync(dir) && files().some((f) => f.startsWith(`${path.relative(dataset, dir)}/`));
};
const tick = () => cat.lakegate.services.maintenanceScheduler.tick();

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock: { now: () => Date.now() + ahead } });
  admin = await signInAdmin(cat);
  ({ parent, dataset } = await registeredLanceDataset(admin, 'pu'));
  analyst = await signedInPrincipal(cat, 'unmanaged-analyst');
  await rowFilteredReader(admin, { namespace: 'pu', name: 'ext' }, 'unmanaged-analysts', analyst.id);
});
afterAll(async () => cat?.close());

it("marks, then past the grace period removes, a superseded derived dataset of a table managing its own versions; the live one and the table's files stay", async () => {
  const first = (await describeAs(analyst.send)).body.location as string;
  expect(first).toMatch(/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v1-/);
  // A version the catalog never sees: LanceDB appends to the dataset directly.
  const db = await lancedb.connect(parent);
  const t = await db.openTable('ext');
  await t.add([{ id: 3, region: 'eu' }]);
  t.close();
  db.close();
  const second = (await describeAs(analyst.send)).body.location as string;
  expect(second).toMatch(/\/lance-v2-/);
  const own = () => files().filter((f) => !f.startsWith('_lakegate/'));
  const before = own();
  // The schedule on (every minute): the first run marks version 1's dataset, deletes nothing within the grace period.
  expect((await admin('POST', '/management/v1/warehouses/default/properties', { updates: { 'maintenance.interval-ms': '60000' } })).status).toBe(200);
  // (The first read, on no schedule, ran the same job under the table's lease: a minute on, the schedule's is due.)
  await Promise.all(cat.lakegate.services.lance.tables.policyReads.cleanups);
  ahead = 61_000;
  expect((await tick()).failed).toBe(0);
  const mark = path.join(path.dirname(fileURLToPath(first)), 'lance-v1.superseded');
  expect(existsSync(mark)).toBe(true);
  expect(existsSync(path.join(path.dirname(fileURLToPath(second)), 'lance-v2.superseded'))).toBe(false);
  expect(present(first)).toBe(true);
  // Past the grace period (the mark four days old): the next run removes it; the live one and the table's files stay.
  const past = new Date(Date.now() - 4 * 86_400_000);
  utimesSync(mark, past, past);
  ahead = 180_000;
  expect((await tick()).failed).toBe(0);
  expect(present(first)).toBe(false);
  expect(existsSync(mark)).toBe(false);
  expect(present(second)).toBe(true);
  expect(own()).toEqual(before);
  expect((await describeAs(analyst.send)).body.location).toBe(second);
});
