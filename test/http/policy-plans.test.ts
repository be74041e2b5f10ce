/**
 * Row-filter and column-mask policies enforced in the scan plan (issue 53, catalog/planning/restricted.ts), in-process
 * on a v2 table partitioned by identity(region) whose Parquet data files, position delete file and manifests are
 * written here. A restricted caller's plan prunes what the row filter excludes, carries the row filter in every
 * residual, and names only policy-enforced files (admitted rows, masks and deletes applied, no delete files) under
 * its policy version's prefix, reused until the policy changes; the files are read back here and compared with the
 * source rows filtered and masked by the test itself. Unrestricted callers get the very answer they got before.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grant } from '../support/access.js';
import { appendUpdates, peopleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { type Person, planRows, writePositionDeletes, writeRows } from '../support/policy-people.js';

let cat: TestCatalog;
let admin: Send;
let analyst: Send;
let scorer: Send;
let location: string;
const TABLE = '/v1/default/namespaces/crm/tables/people';
const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/people/policies';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'people' };
const schema = peopleSchema(['id', 'region', 'email', 'born']);
const DAY = 86_400_000;

/** The source rows of each data file, as the test wrote them. */
const files: Record<string, Person[]> = {};
/** Position deletes: eu-1 loses its row 1. */
const deletedFromEu1 = 1;

async function member(role: string): Promise<Send> {
  const p = await cat.lakegate.principals.create(`${role}-member`);
  expect((await admin('POST', `/management/v1/roles/${role}/members`, { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
  return bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
}

/** Every source row still live (the position delete applied), in id order. */
function liveRows(): Person[] {
  return Object.entries(files)
    .flatMap(([name, rows]) => rows.filter((_, i) => !(name === 'eu-1' && i === deletedFromEu1)))
    .sort((a, b) => Number(a.id - b.id));
}
const maskAlphanum = (s: string | null) => (s === null ? null : s.replace(/[A-Z]/g, 'X').replace(/[a-z]/g, 'x').replace(/[0-9]/g, 'n'));
const toYear = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
const withoutPlanId = (body: Record<string, unknown>) => stringifyJson({ ...body, 'plan-id': undefined });

/** A catalog with the table, its files and the two restricted principals; `split` puts each data file in its own manifest. */
async function build(env: Record<string, string>, split = false): Promise<void> {
  cat = await startInProcess(env, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', {
    name: 'people',
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  location = created.body.metadata.location;
  const d = (name: string) => `${location}/data/${name}.parquet`;
  let next = 0;
  const person = (region: string): Person => {
    const id = BigInt(next++);
    return { id, region, email: id % 5n === 4n ? null : `User${id}@Mail${id % 3n}.com`, born: Date.UTC(1980, 0, 1) + Number(id) * 97 * DAY };
  };
  files['eu-1'] = Array.from({ length: 6 }, () => person('eu'));
  files['us-1'] = Array.from({ length: 5 }, () => person('us'));
  files['eu-2'] = Array.from({ length: 4 }, () => person('eu'));
  mkdirSync(path.dirname(fileURLToPath(d('x'))), { recursive: true });
  for (const [name, rows] of Object.entries(files)) await writeRows(d(name), rows);
  await writePositionDeletes(d('eu-1-deletes'), d('eu-1'), [deletedFromEu1]);
  const metadata = (await admin('GET', TABLE)).body.metadata;
  const m = (name: string) => `${location}/metadata/${name}.avro`;
  const bounds = (rows: Person[]): [number, number, number] => [1, Number(rows[0]!.id), Number(rows.at(-1)!.id)];
  const entry = (name: string) => ({
    status: 1 as const,
    snapshotId: 1n,
    sequenceNumber: 1,
    file: { path: d(name), partition: [files[name]![0]!.region], records: files[name]!.length, longBounds: [bounds(files[name]!)] },
  });
  const dataManifests = split
    ? ['eu-1', 'us-1', 'eu-2'].map((name) => [`data-${name}`, [entry(name)]] as const)
    : ([['data', [entry('eu-1'), entry('us-1'), entry('eu-2')]]] as const);
  const written = [];
  for (const [name, entries] of dataManifests)
    written.push({
      path: m(name),
      length: await writeManifest(m(name), ['region'], [...entries]),
      content: 0 as const,
      sequenceNumber: 1,
      addedSnapshotId: 1n,
    });
  const deleteLength = await writeManifest(
    m('deletes'),
    ['region'],
    [
      {
        status: 1,
        snapshotId: 1n,
        sequenceNumber: 1,
        file: { path: d('eu-1-deletes'), content: 1, partition: ['eu'], records: 1, referencedDataFile: d('eu-1') },
      },
    ],
    1,
  );
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, [...written, { path: m('deletes'), length: deleteLength, content: 1, sequenceNumber: 1, addedSnapshotId: 1n }]);
  const c = appendUpdates(metadata, list);
  expect((await admin('POST', TABLE, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
  await grant(admin, 'analysts', ['table:read-data'], people);
  await grant(admin, 'scorers', ['table:read-data'], people);
  analyst = await member('analysts');
  scorer = await member('scorers');
}

beforeAll(() => build({}));
afterAll(async () => {
  await cat?.close();
});

describe('a restricted caller plans policy-enforced files', () => {
  let unrestricted: string;
  let euPolicy: { id: string; version: number };
  let firstPaths: string[];

  it('leaves the unrestricted answer as it was once policies exist (and a cached one is never served to the restricted)', async () => {
    const before = await admin('POST', `${TABLE}/plan`, {});
    expect(before.status, stringifyJson(before.body)).toBe(200);
    unrestricted = withoutPlanId(before.body);
    expect(before.body['file-scan-tasks']).toHaveLength(3);
    expect(before.body['delete-files']).toHaveLength(1);
    const eu = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(eu.status, stringifyJson(eu.body)).toBe(201);
    euPolicy = eu.body;
    const masks = await admin('POST', POLICIES, {
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'email', action: 'mask-alphanum' },
        { column: 'born', action: 'truncate-to-year' },
      ],
    });
    expect(masks.status, stringifyJson(masks.body)).toBe(201);
    const scores = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['scorers'], filter: { type: 'gt-eq', term: 'id', value: 9 } });
    expect(scores.status, stringifyJson(scores.body)).toBe(201);
    expect(withoutPlanId((await admin('POST', `${TABLE}/plan`, {})).body)).toBe(unrestricted);
  });

  it('prunes by the row filter, applies deletes and masks in derived files, and puts the filter in every residual', async () => {
    const planned = await analyst('POST', `${TABLE}/plan`, {});
    expect(planned.status, stringifyJson(planned.body)).toBe(200);
    const tasks = planned.body['file-scan-tasks'] as Array<{
      'data-file': Record<string, unknown>;
      'residual-filter': unknown;
      'delete-file-references'?: number[];
    }>;
    // us-1 is pruned by its partition; eu-1 and eu-2 are derived.
    expect(tasks).toHaveLength(2);
    expect(planned.body['delete-files']).toBeUndefined();
    const prefix = `${location}/_lakegate/policy/`;
    for (const t of tasks) {
      expect(t['data-file']['file-path']).toMatch(
        new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[A-Za-z0-9_-]{22}/[A-Za-z0-9_-]{32}\\.[0-9a-f-]{36}\\.parquet$`),
      );
      expect(t['delete-file-references']).toBeUndefined();
      expect(t['residual-filter']).toEqual({ type: 'eq', term: 'region', value: 'eu' });
      expect(t['data-file']['lower-bounds']).toBeUndefined();
    }
    const expected = liveRows()
      .filter((r) => r.region === 'eu')
      .map((r) => ({ ...r, email: maskAlphanum(r.email), born: toYear(r.born) }));
    const read = await planRows(planned.body);
    expect(read).toEqual(expected);
    expect(tasks.reduce((n, t) => n + (t['data-file']['record-count'] as number), 0)).toBe(expected.length);
    // Derived in the server's rewrite thread (rewriteThreads defaults to 1), not on the request thread.
    expect(cat.lakegate.rewriteThreads?.threadIds).toHaveLength(1);
    // The caller's own filter is applied with the policy's (and its residual is both).
    const own = await analyst('POST', `${TABLE}/plan`, { filter: { type: 'lt', term: 'id', value: 6 } });
    expect((own.body['file-scan-tasks'] as unknown[]).length).toBe(1);
    expect((own.body['file-scan-tasks'] as Array<{ 'residual-filter': unknown }>)[0]!['residual-filter']).toEqual({
      type: 'and',
      left: { type: 'lt', term: 'id', value: 6 },
      right: { type: 'eq', term: 'region', value: 'eu' },
    });
    firstPaths = tasks.map((t) => t['data-file']['file-path'] as string).sort();
  });

  it('reuses the derived files until the policy changes; a new version is a new prefix and the old files are never named again', async () => {
    const again = await analyst('POST', `${TABLE}/plan`, {});
    expect((again.body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string } }>).map((t) => t['data-file']['file-path']).sort()).toEqual(
      firstPaths,
    );
    const updated = await admin('PUT', `${POLICIES}/${euPolicy.id}`, {
      roles: ['analysts'],
      filter: { type: 'eq', term: 'region', value: 'us' },
      version: euPolicy.version,
    });
    expect(updated.status, stringifyJson(updated.body)).toBeLessThan(300);
    const after = await analyst('POST', `${TABLE}/plan`, {});
    const paths = (after.body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string } }>).map((t) => t['data-file']['file-path']);
    expect(paths).toHaveLength(1);
    for (const p of firstPaths) expect(paths).not.toContain(p);
    expect(paths[0]!.split('/').at(-2)).not.toBe(firstPaths[0]!.split('/').at(-2));
    expect(await planRows(after.body)).toEqual(
      liveRows()
        .filter((r) => r.region === 'us')
        .map((r) => ({ ...r, email: maskAlphanum(r.email), born: toYear(r.born) })),
    );
  });

  it('prunes by column metrics for a non-partition filter and drops files left empty; stats of masked columns are not answered', async () => {
    const planned = await scorer('POST', `${TABLE}/plan`, { 'stats-fields': ['id'] });
    expect(planned.status, stringifyJson(planned.body)).toBe(200);
    const tasks = planned.body['file-scan-tasks'] as Array<{ 'data-file': Record<string, unknown> }>;
    // eu-1 (ids 0..5) is pruned by its bounds; us-1 (6..10) keeps 9 and 10; eu-2 (11..14) whole.
    expect(tasks).toHaveLength(2);
    expect(await planRows(planned.body)).toEqual(liveRows().filter((r) => r.id >= 9n));
    expect(tasks.every((t) => t['data-file']['value-counts'] !== undefined)).toBe(true);
    const masked = await analyst('POST', `${TABLE}/plan`, { 'stats-fields': ['email', 'id'] });
    for (const t of masked.body['file-scan-tasks'] as Array<{ 'data-file': Record<string, { keys: number[] }> }>)
      expect(t['data-file']['value-counts']!.keys).toEqual([1]);
  });

  it('follows a role granted or revoked at the next plan (role membership is cached, and dropped with the decisions)', async () => {
    await grant(admin, 'movers', ['table:read-data'], people);
    const p = await cat.lakegate.principals.create('mover');
    expect((await admin('POST', '/management/v1/roles/movers/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
    const mover = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
    const analysts = (path: string) => admin('POST', `/management/v1/roles/analysts/members${path}`, { kind: 'principal', name: p.clientId });
    const planned = async () => {
      const r = await mover('POST', `${TABLE}/plan`, {});
      expect(r.status, stringifyJson(r.body)).toBe(200);
      return (r.body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string } }>).map((t) => t['data-file']['file-path']);
    };
    const derived = (paths: string[]) => paths.length > 0 && paths.every((f) => f.includes('/_lakegate/policy/'));
    // Twice each way: the second plan is answered from the caches (roles, decisions, policies, answers) a change must clear.
    for (let i = 0; i < 2; i++) expect(await planned()).toHaveLength(3);
    expect((await analysts('')).status).toBeLessThan(300);
    for (let i = 0; i < 2; i++) expect(derived(await planned())).toBe(true);
    expect((await analysts('/remove')).status).toBeLessThan(300);
    const after = await planned();
    expect(after).toHaveLength(3);
    expect(after.some((f) => f.includes('/_lakegate/policy/'))).toBe(false);
  });

  it('records the policy version on the plan audit record', async () => {
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?type=table.plan&limit=100')).body);
    expect(audit).toContain('policyVersion');
  });
});

describe('a restricted caller’s plan tasks (fetchScanTasks)', () => {
  beforeAll(async () => {
    await cat.close();
    // One data manifest per plan task: the plan answers plan tasks only, and each is expanded under the policy.
    await build({ LAKEGATE_PLANNING_INLINE_MANIFESTS: '1', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '1' }, true);
    expect((await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } })).status).toBe(201);
    expect((await admin('POST', POLICIES, { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'email', action: 'show-last-4' }] })).status).toBe(201);
  });

  it('expands each plan task into policy-enforced files, pruned and masked as a whole plan is', async () => {
    const planned = await analyst('POST', `${TABLE}/plan`, {});
    expect(planned.status, stringifyJson(planned.body)).toBe(200);
    const tokens = planned.body['plan-tasks'] as string[];
    expect(tokens.length).toBeGreaterThan(1);
    const tasks: Array<{ 'data-file': { 'file-path': string } }> = [...(planned.body['file-scan-tasks'] ?? [])];
    for (const token of tokens) {
      const page = await analyst('POST', `${TABLE}/tasks`, { 'plan-task': token });
      expect(page.status, stringifyJson(page.body)).toBe(200);
      expect(page.body['delete-files']).toBeUndefined();
      tasks.push(...(page.body['file-scan-tasks'] ?? []));
    }
    expect(tasks.every((t) => t['data-file']['file-path'].includes('/_lakegate/policy/'))).toBe(true);
    const showLast4 = (s: string | null) => (s === null ? null : 'x'.repeat(Math.max(0, s.length - 4)) + s.slice(-4));
    expect(await planRows({ 'file-scan-tasks': tasks })).toEqual(
      liveRows()
        .filter((r) => r.region === 'eu')
        .map((r) => ({ ...r, email: showLast4(r.email) })),
    );
  });
});
