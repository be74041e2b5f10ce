/**
 * The cleanup-only job of a Lance table whose versions the catalog manages and that its maintenance never optimizes
 * (catalog/maintenance/lance-optimize.ts cleanManagedDerived), in process on a file warehouse with the real LanceDB
 * adapters, the clock moved forward for the schedule and the hourly bound:
 *  - on a warehouse with a schedule, a table under `compaction.lance.min-fragments` has its superseded derived
 *    dataset marked, then removed past the grace period, by its scheduled job; the live one stays, read whole;
 *  - on a warehouse without a schedule, a commit of the table runs the same job (scheduler.ts cleanAfterCommit).
 * Before, such a table kept its superseded derived datasets until it was optimized or dropped.
 */
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterEach, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { MAIN_BRANCH } from '../../packages/server/src/catalog/ports/lance-versions.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createRegionTable, datasetIds, filesUnder, rowFilteredReader } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog | undefined;
/** The catalog's clock runs this far ahead. */
let ahead = 0;
afterEach(async () => {
  await cat?.close();
  cat = undefined;
  ahead = 0;
});

interface Setup {
  cat: TestCatalog;
  admin: Send;
  analyst: Caller;
  tableDir: string;
  /** Commits a version adding `ids` (LanceDB through the catalog's Lance namespace), then waits for its preparation. */
  add(ids: number[]): Promise<void>;
}

/** A catalog with the managed table `ns.people` (ids 1 to 4: version 1) and a row filter (region eu) for an analyst. */
async function setUp(ns: string, warehouseProperties: Record<string, string>): Promise<Setup> {
  const c = await startInProcess({}, { auth: true, clock: { now: () => Date.now() + ahead } });
  cat = c;
  const admin = await signInAdmin(c);
  if (Object.keys(warehouseProperties).length > 0)
    expect((await admin('POST', '/management/v1/warehouses/default/properties', { updates: warehouseProperties })).status).toBe(200);
  await c.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(c.lakegate.app.server.address() as { port: number }).port}`;
  expect((await admin('POST', `${L}/namespace/${ns}/create`, {})).status).toBe(200);
  await createRegionTable(c, { namespace: ns, name: 'people' }, [1, 2, 3, 4]);
  const analyst = await signedInPrincipal(c, `${ns}-analyst`);
  await rowFilteredReader(admin, { namespace: ns, name: 'people' }, `${ns}-analysts`, analyst.id);
  await c.lakegate.services.lance.tables.policyPreparer.idle();
  const tableDir = fileURLToPath(((await admin('POST', `${L}/table/${ns}%24people/describe`, {})).body.location as string).replace(/\/+$/, ''));
  const add = async (ids: number[]) => {
    const a = c.admin();
    const token = await tokenOf(c.lakegate.app, a.client_id, a.client_secret);
    const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
    const t = await db.openTable('people', [ns]);
    await t.add(ids.map((id) => ({ id, region: id % 2 === 0 ? 'us' : 'eu' })));
    t.close();
    db.close();
    await c.lakegate.services.lance.tables.policyPreparer.idle();
  };
  return { cat: c, admin, analyst, tableDir, add };
}

/** The analyst's DescribeTable (signed in again: the clock may have moved past its token). */
async function describedFor(s: Setup, ns: string): Promise<string> {
  const res = await (await s.analyst.signIn())('POST', `${L}/table/${ns}%24people/describe`, {});
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return res.body.location as string;
}

const present = (s: Setup, location: string) => {
  const rel = path.relative(s.tableDir, fileURLToPath(location.replace(/\/+$/, '')));
  return filesUnder(s.tableDir).some((f) => f.startsWith(`${rel}/`));
};
/** The superseded mark of the derived dataset at `location` (`<stem>.superseded` beside it). */
const markOf = (location: string) => fileURLToPath(location.replace(/\/+$/, '')).replace(/-[0-9a-f-]+\.lance$/, '.superseded');
const age = (file: string) => {
  const past = new Date(Date.now() - 4 * 86_400_000);
  utimesSync(file, past, past);
};

it('cleans up, on its schedule, the superseded derived dataset of a managed table too few fragments keep from being optimized', async () => {
  const s = await setUp('pmc', { 'maintenance.interval-ms': '60000', 'compaction.enabled': 'true', 'compaction.lance.min-fragments': '64' });
  const first = await describedFor(s, 'pmc');
  expect(first).toMatch(/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v1-/);
  await s.add([5, 6]);
  const second = await describedFor(s, 'pmc');
  expect(second).toMatch(/\/lance-v2-/);
  const own = () => filesUnder(s.tableDir).filter((f) => !f.startsWith('_lakegate/'));
  const before = own();
  const tick = () => s.cat.lakegate.services.maintenanceScheduler.tick();
  // The schedule's job, a minute on: two fragments are under the threshold (no optimize), version 1's dataset is marked.
  ahead = 61_000;
  expect(await tick()).toMatchObject({ failed: 0, optimized: 0 });
  expect(existsSync(markOf(first))).toBe(true);
  expect(existsSync(markOf(second))).toBe(false);
  expect(present(s, first)).toBe(true);
  // Past the grace period (the mark four days old), the next interval's job removes it; the live one and the table stay.
  age(markOf(first));
  ahead = 180_000;
  expect(await tick()).toMatchObject({ failed: 0, optimized: 0 });
  expect(present(s, first)).toBe(false);
  expect(existsSync(markOf(first))).toBe(false);
  expect(present(s, second)).toBe(true);
  expect(await datasetIds(second)).toEqual([1, 3, 5]);
  expect(own()).toEqual(before);
  const record = await s.cat.lakegate.store.repository.getObject('default', ['pmc'], 'people');
  expect(await s.cat.lakegate.store.lanceVersions.head(record!.id, MAIN_BRANCH)).toBe(2);
  expect(await describedFor(s, 'pmc')).toBe(second);
});

it('cleans up, after a commit on a warehouse without a schedule, the derived datasets that commits superseded (hourly at most)', async () => {
  const s = await setUp('pmu', {});
  // An hour on since the policy's creation ran the (then idle) cleanup: the next commit's is due.
  ahead = 2 * 3_600_000;
  const first = await describedFor(s, 'pmu');
  expect(first).toMatch(/\/lance-v1-/);
  await s.add([5, 6]);
  // Version 2's commit marked version 1's dataset; nothing deleted within the grace period.
  expect(existsSync(markOf(first))).toBe(true);
  expect(present(s, first)).toBe(true);
  const second = await describedFor(s, 'pmu');
  expect(second).toMatch(/\/lance-v2-/);
  // Another commit within the hour runs no cleanup: version 2's dataset, superseded now, is not marked yet.
  await s.add([7]);
  expect(existsSync(markOf(second))).toBe(false);
  // Past the grace period and the hour, the next commit's cleanup removes version 1's and marks the others.
  age(markOf(first));
  ahead = 4 * 3_600_000;
  await s.add([9]);
  expect(present(s, first)).toBe(false);
  expect(existsSync(markOf(first))).toBe(false);
  expect(existsSync(markOf(second))).toBe(true);
  expect(present(s, second)).toBe(true);
  const latest = await describedFor(s, 'pmu');
  expect(latest).toMatch(/\/lance-v4-/);
  expect(existsSync(markOf(latest))).toBe(false);
  expect(await datasetIds(latest)).toEqual([1, 3, 5, 7, 9]);
});
