/**
 * A policy-derived Lance dataset whose roles' combination nobody holds any more (catalog/maintenance/lance-policy-cleanup.ts,
 * heldRoles), in process on a file warehouse and SQLite with the real LanceDB adapters, the table's optimize as the
 * cleanup, its clock moved forward for the grace period:
 *  - while one member still holds the role, the dataset is live, whatever the grace;
 *  - once the last member left it, the dataset is marked superseded, and removed once the mark is past the grace,
 *    with exactly the deleted files reported;
 *  - a member back before that removes the mark (the dataset is live again), so a later retirement's grace starts over;
 *  - a reader who regains the combination after the removal is answered a fresh derivation, never the removed dataset.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { KNOWN_RECHECK_MS } from '../../packages/server/src/catalog/lance/policy-derivations.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createRegionTable, filesUnder } from '../support/lance-policy-tables.js';
import { signInAdmin, signedInPrincipal, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const TABLE = '/management/v1/warehouses/default/namespaces/pm/tables/people';
const ROLE = 'membership-analysts';
const GRACE_MS = 60_000;
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let other: Caller;
let tableDir = '';
let offset = 0;
let first = '';

const describeAs = (send: Send) => send('POST', `${L}/table/pm%24people/describe`, {});
const optimize = async () => {
  const res = await admin('POST', `${TABLE}/maintenance`, { actions: ['optimize'], 'orphan-older-than-ms': GRACE_MS });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return res.body as { 'policy-datasets': { superseded: number; removed: number }; 'deleted-files': number; files: Array<{ path: string }> };
};
const member = (c: Caller) => ({ kind: 'principal' as const, name: c.id });
const leave = async (c: Caller) => expect((await admin('POST', `/management/v1/roles/${ROLE}/members/remove`, member(c))).status).toBe(204);
const files = (): string[] => filesUnder(tableDir);
const under = (location: string) => path.relative(tableDir, fileURLToPath(location.replace(/\/+$/, '')));
const present = (location: string) => files().some((f) => f.startsWith(`${under(location)}/`));
const mark = () => path.join(path.dirname(under(first)), path.basename(under(first)).replace(/-[0-9a-f-]+\.lance$/, '.superseded'));

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock: { now: () => Date.now() + offset } });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/pm/create`, {})).status).toBe(200);
  await createRegionTable(cat, { namespace: 'pm', name: 'people' }, [1, 2, 3, 4]);
  tableDir = fileURLToPath(((await admin('POST', `${L}/table/pm%24people/describe`, {})).body.location as string).replace(/\/+$/, ''));
  analyst = await signedInPrincipal(cat, 'membership-analyst');
  other = await signedInPrincipal(cat, 'membership-other');
  await grant(admin, ROLE, ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['pm'], name: 'people' });
  await addMember(admin, ROLE, member(analyst));
  await addMember(admin, ROLE, member(other));
  const policy = await admin('POST', `${TABLE}/policies`, { kind: 'row-filter', roles: [ROLE], filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
});
afterAll(async () => cat?.close());

it('keeps a dataset while a member holds its roles, retires it after the grace once none does, and derives afresh for a member back', async () => {
  const served = await describeAs(analyst.send);
  expect(served.status, stringifyJson(served.body)).toBe(200);
  first = served.body.location as string;
  expect(present(first)).toBe(true);

  // One member left, one holds the role still: live, whatever the grace.
  await leave(analyst);
  offset += 2 * GRACE_MS;
  expect((await optimize())['policy-datasets']).toEqual({ superseded: 0, removed: 0 });
  expect(present(first)).toBe(true);

  // The last member left: marked, kept within the grace.
  await leave(other);
  expect((await optimize())['policy-datasets']).toEqual({ superseded: 1, removed: 0 });
  expect(files()).toContain(mark());
  expect(present(first)).toBe(true);

  // A member back before the grace ends: live again, its mark removed.
  await addMember(admin, ROLE, member(other));
  expect((await optimize())['policy-datasets']).toEqual({ superseded: 0, removed: 0 });
  expect(files()).not.toContain(mark());

  // Gone again past the old mark's grace: marked anew, not removed (its grace starts over).
  offset += 2 * GRACE_MS;
  await leave(other);
  expect((await optimize())['policy-datasets']).toEqual({ superseded: 1, removed: 0 });
  expect(present(first)).toBe(true);

  // Past the new mark's grace: removed, and exactly what left the disk reported.
  offset += 2 * GRACE_MS;
  const before = files();
  const removed = await optimize();
  expect(removed['policy-datasets']).toEqual({ superseded: 0, removed: 1 });
  expect(present(first)).toBe(false);
  const gone = before.filter((f) => !files().includes(f));
  expect(removed['deleted-files']).toBe(gone.length);
  expect(removed.files.map((f) => under(f.path)).sort()).toEqual(gone);

  // The analyst regains the role: a fresh derivation (this process's memory re-checks the side file once a minute old).
  await addMember(admin, ROLE, member(analyst));
  offset += KNOWN_RECHECK_MS;
  const again = await describeAs(analyst.send);
  expect(again.status, stringifyJson(again.body)).toBe(200);
  expect(again.body.location).not.toBe(first);
  expect(existsSync(fileURLToPath((again.body.location as string).replace(/\/+$/, '')))).toBe(true);
  expect(present(again.body.location as string)).toBe(true);
});
