/**
 * Superseded policy-derived Lance datasets (catalog/maintenance/lance-policy-cleanup.ts), in process on a file warehouse with the
 * real LanceDB adapters: the catalog's own maintenance of the table (optimize, which also runs Lance's
 * cleanup_old_versions on the table) never deletes a live derived dataset, marks a superseded one (an older table
 * version, a changed policy) and removes it only after the grace period (`orphan-older-than-ms`), together with a
 * derived copy no side file names; what it reports deleted is exactly what left the disk. An explicit DescribeTable
 * of a removed version derives it again; a drop with purge removes every derived dataset with the table.
 */
import { cpSync, existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { datasetIds, filesUnder, rowFilteredReader } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const TABLE = '/management/v1/warehouses/default/namespaces/pc/tables/people';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let url = '';
let tableDir = '';
let filterId = '';

const rows = (k: number) => [
  { id: 10 * k + 1, region: 'eu' },
  { id: 10 * k + 2, region: 'us' },
];
const describeAs = (send: Send, body: Record<string, unknown> = {}) => send('POST', `${L}/table/pc%24people/describe`, body);
/** An optimize job, then the background preparation its commits started (catalog/lance/policy-prepare.ts) done. */
const optimize = async (body: Record<string, unknown> = {}) => {
  const res = await admin('POST', `${TABLE}/maintenance`, { actions: ['optimize'], ...body });
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
  return res;
};

/** Every file under the table's directory, relative to it. */
const files = (): string[] => filesUnder(tableDir);
const derivedFiles = () => files().filter((f) => f.startsWith('_lakegate/'));
/** Whether any file is left under the dataset (a file warehouse keeps the emptied directories). */
const present = (location: string) => files().some((f) => f.startsWith(`${relative(location)}/`));
const relative = (location: string) => path.relative(tableDir, fileURLToPath(location.replace(/\/+$/, '')));

const ids = datasetIds;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  const a = cat.admin();
  const token = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await admin('POST', `${L}/namespace/pc/create`, {})).status).toBe(200);
  // Three versions of one fragment each, written by LanceDB through the public surface: optimize has work to do.
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const t = await db.createTable('people', rows(0), ['pc']);
  await t.add(rows(1));
  await t.add(rows(2));
  t.close();
  db.close();
  tableDir = fileURLToPath(((await describeAs(admin)).body.location as string).replace(/\/+$/, ''));
  analyst = await signedInPrincipal(cat, 'cleanup-analyst');
  filterId = (await rowFilteredReader(admin, { namespace: 'pc', name: 'people' }, 'cleanup-analysts', analyst.id)).id as string;
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
});
afterAll(async () => cat?.close());

let v3 = '';
let v4 = '';
let latest = 0;

it("keeps a live derived dataset through optimize (Lance's cleanup_old_versions included) and only marks a superseded one within the grace period", async () => {
  v3 = (await describeAs(analyst.send)).body.location as string;
  expect(v3).toMatch(/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v3-/);
  const before = derivedFiles();
  // The live dataset (version 3 is the latest) through an optimize whose Lance cleanup removes the table's old files.
  const first = await optimize();
  expect(first.status, stringifyJson(first.body)).toBe(200);
  latest = first.body.optimize['version-after'] as number;
  expect(latest).toBeGreaterThan(3);
  expect(first.body.optimize['files-removed']).toBeGreaterThan(0);
  // Version 3's dataset is superseded now (a newer version): marked, nothing deleted within the grace period (3 days).
  // (Version 4, one of optimize's commits, may have been prepared in the background meanwhile: superseded as well.)
  expect(first.body['policy-datasets'].removed).toBe(0);
  expect(first.body['policy-datasets'].superseded).toBeGreaterThanOrEqual(1);
  expect(first.body['deleted-files']).toBe(0);
  expect(first.body.files).toEqual([]);
  const after = derivedFiles();
  expect(before.filter((f) => !after.includes(f))).toEqual([]);
  expect(after).toContain(path.join(path.dirname(relative(v3)), 'lance-v3.superseded'));
  expect(await ids(v3)).toEqual([1, 11, 21]);
  // The latest version's dataset (prepared in the background after optimize's commit, or derived by this read); an
  // optimize then keeps it, whatever the grace.
  v4 = (await describeAs(analyst.send)).body.location as string;
  expect(v4).toMatch(new RegExp(`/lance-v${latest}-`));
  const again = await optimize({ 'orphan-older-than-ms': 3 * 86_400_000 });
  expect(again.status, stringifyJson(again.body)).toBe(200);
  // Version 3's still within its grace period; nothing deleted.
  // (An intermediate version of optimize's commits may have been prepared in the background too: superseded as well.)
  expect(again.body['policy-datasets'].removed).toBe(0);
  expect(again.body['policy-datasets'].superseded).toBeGreaterThanOrEqual(1);
  expect(again.body['deleted-files']).toBe(0);
  expect(await ids(v4)).toEqual([1, 11, 21]);
});

it('removes superseded datasets and a derived copy no side file names after the grace period, reporting exactly what it deleted; a live one stays', async () => {
  // A copy of the latest version's dataset no side file names (a derivation that lost its race, or crashed before recording).
  const stray = path.join(path.dirname(relative(v4)), `lance-v${latest}-00000000-0000-4000-8000-000000000000.lance`);
  cpSync(fileURLToPath(v4), path.join(tableDir, stray), { recursive: true });
  // Written two hours ago: a dataset no side file names goes only past an hour, whatever the grace (a derivation
  // running now has no side file yet).
  const past = new Date(Date.now() - 2 * 3_600_000);
  for (const f of files().filter((x) => x.startsWith(`${stray}/`))) utimesSync(path.join(tableDir, f), past, past);
  // And one written now (as a derivation running now has written it, its side file not yet): kept even with grace 0.
  const running = path.join(path.dirname(relative(v4)), `lance-v${latest}-11111111-1111-4111-8111-111111111111.lance`);
  cpSync(fileURLToPath(v4), path.join(tableDir, running), { recursive: true });
  // The policy changes: version 4's dataset of the old policy version is superseded too, the next read derives anew.
  const updated = await admin('PUT', `${TABLE}/policies/${filterId}`, {
    roles: ['cleanup-analysts'],
    filter: { type: 'eq', term: 'region', value: 'us' },
    version: 1,
  });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
  const current = (await describeAs(analyst.send)).body.location as string;
  expect(path.dirname(current)).not.toBe(path.dirname(v4));
  expect(await ids(current)).toEqual([2, 12, 22]);
  const before = files();

  const run = await optimize({ 'orphan-older-than-ms': 0 });
  expect(run.status, stringifyJson(run.body)).toBe(200);
  const after = files();
  const reported = (run.body.files as Array<{ path: string }>).map((f) => path.relative(tableDir, fileURLToPath(f.path))).sort();
  // Exactly what it reported left the disk (the table's own files aside: Lance's optimize rewrote none, nothing to compact).
  expect(run.body['deleted-files']).toBe(reported.length);
  expect(run.body['failed-files']).toEqual([]);
  expect(reported.every((f) => f.startsWith('_lakegate/') && !after.includes(f))).toBe(true);
  expect(before.filter((f) => f.startsWith('_lakegate/') && !after.includes(f))).toEqual(reported);
  // Gone: version 3 and the latest of the old policy version (datasets, side files, marks) and the stray copy.
  for (const gone of [relative(v3), relative(v4), stray]) {
    expect(files().some((f) => f.startsWith(`${gone}/`))).toBe(false);
    expect(reported.some((f) => f.startsWith(`${gone}/`))).toBe(true);
  }
  expect(reported).toContain(path.join(path.dirname(relative(v4)), `lance-v${latest}.json`));
  expect(reported).toContain(path.join(path.dirname(relative(v3)), 'lance-v3.superseded'));
  // Those three at least (an intermediate version prepared in the background may be among them).
  expect(run.body['policy-datasets'].superseded).toBe(0);
  expect(run.body['policy-datasets'].removed).toBeGreaterThanOrEqual(3);
  expect(files().some((f) => f.startsWith(`${running}/`))).toBe(true);
  expect(reported.some((f) => f.startsWith(`${running}/`))).toBe(false);
  // Kept: the live dataset, readable, and answered again.
  expect(await ids(current)).toEqual([2, 12, 22]);
  expect((await describeAs(analyst.send)).body.location).toBe(current);
  // A second run finds nothing more to delete.
  const quiet = await optimize({ 'orphan-older-than-ms': 0 });
  expect(quiet.body['deleted-files']).toBe(0);
  expect(files().filter((f) => f.startsWith('_lakegate/'))).toEqual(after.filter((f) => f.startsWith('_lakegate/')));
});

it('derives a removed version again on an explicit DescribeTable of it (never answers a deleted dataset from memory)', async () => {
  // An explicit read of version 3 under the current policy version: derived, and superseded (not the latest).
  const current = (await describeAs(analyst.send)).body.location as string;
  const old = await describeAs(analyst.send, { version: 3 });
  expect(old.status, stringifyJson(old.body)).toBe(200);
  expect(old.body.location).toMatch(/\/lance-v3-/);
  expect(await ids(old.body.location as string)).toEqual([2, 12, 22]);
  // Superseded again (version 3 is not the latest): removed by the next run; the next explicit read derives it anew.
  const removed = await optimize({ 'orphan-older-than-ms': 0 });
  expect(removed.body['policy-datasets']).toMatchObject({ removed: 1 });
  expect(present(old.body.location as string)).toBe(false);
  const anew = await describeAs(analyst.send, { version: 3 });
  expect(anew.status, stringifyJson(anew.body)).toBe(200);
  expect(anew.body.location).not.toBe(old.body.location);
  expect(await ids(anew.body.location as string)).toEqual([2, 12, 22]);
  expect(await ids(current)).toEqual([2, 12, 22]);
});

it("a policy added for the readers' roles supersedes the dataset of the policies they had, the table version unchanged", async () => {
  const before = (await describeAs(analyst.send)).body.location as string;
  expect(present(before)).toBe(true);
  const mask = await admin('POST', `${TABLE}/policies`, {
    kind: 'column-mask',
    roles: ['cleanup-analysts'],
    masks: [{ column: 'region', action: 'replace-with-null' }],
  });
  expect(mask.status, stringifyJson(mask.body)).toBe(201);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
  const after = (await describeAs(analyst.send)).body.location as string;
  expect(path.dirname(after)).not.toBe(path.dirname(before));
  // Nothing to compact: the table's latest version stays what the old dataset holds; its policies alone moved on.
  const run = await optimize({ 'orphan-older-than-ms': 0 });
  expect(run.status, stringifyJson(run.body)).toBe(200);
  expect(run.body.optimize['version-after']).toBe(latest);
  expect(present(before)).toBe(false);
  expect(present(after)).toBe(true);
  expect((await describeAs(analyst.send)).body.location).toBe(after);
});

it('a drop with purge removes the derived datasets with the table', async () => {
  expect(derivedFiles().length).toBeGreaterThan(0);
  const dropped = await admin('POST', `${L}/table/pc%24people/drop`, {});
  expect(dropped.status, stringifyJson(dropped.body)).toBe(200);
  expect(existsSync(path.join(tableDir, '_lakegate'))).toBe(false);
});
