/**
 * Policy-derived Lance datasets (catalog/lance/policy-reads.ts) across replicas on one PostgreSQL: two in-process
 * catalogs on one database and one file warehouse, with the real LanceDB adapters. After a commit on replica A, whose
 * background preparation derives the new version (its deriver gated, so held), restricted readers DescribeTable that
 * version on both replicas at once: A's reader joins A's derivation, and replica B's
 * derivation waits for A's claim (Coherence.claim over PostgreSQL advisory locks, seen ungranted in pg_locks) and then
 * finds A's side file, so exactly one derived dataset is written for the version and every reader on both replicas is
 * answered it. Without the claim (checked by making it a plain call) B derives a second dataset beside A's.
 * And a derivation running on A while replica B drops the table with purge (B cannot abort or wait for it): A's
 * derivation, held after writing its dataset, finds the table gone once it has written and deletes what it wrote, so
 * nothing is left in the purged location and A's reader is answered a 404 (catalog/lance/policy-lifecycle.ts).
 * Progress is observed, never slept for: the held derivation, the waiting claim, or B having answered.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LancePolicyDeriver } from '../../packages/server/src/catalog/ports/lance-policy.js';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { usePostgresCluster, waitingClaims } from '../support/postgres-cluster.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { tempDir } from '../support/temp.js';
import { waitFor } from '../support/wait-for.js';

const cluster = usePostgresCluster('lakegate-pg-lance-policy-');
const dir = tempDir('lakegate-lance-policy-replicas-');
const L = '/lance/default/v1';
const env = (database: string) => ({
  LAKEGATE_DATABASE: database,
  LAKEGATE_SECRET_KEY: 'l'.repeat(43) + '=',
  LAKEGATE_PUBLIC_URL: 'http://catalog.example.test',
});
let database = '';
let a: TestCatalog;
let b: TestCatalog;

/** Replica A's deriver, each derivation held until released (the original runs then). */
function holdDerivations(cat: TestCatalog) {
  const reads = cat.lakegate.services.lance.tables.policyReads;
  const original = (reads as unknown as { deriver: LancePolicyDeriver }).deriver;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started = 0;
  reads.useDeriver({
    unavailable: () => original.unavailable(),
    inspect: (source) => original.inspect(source),
    derive: async (source, target, policy) => {
      started += 1;
      await gate;
      return original.derive(source, target, policy);
    },
  });
  return { release, started: () => started };
}

const ipc = () =>
  Buffer.from(
    tableToIPC(
      new Table({
        id: makeVector(Int32Array.from([1, 2, 3, 4])),
        region: vectorFromArray(['eu', 'us', 'eu', 'apac'], new Utf8()),
      }),
      'stream',
    ),
  );

beforeAll(async () => {
  database = cluster.database('lance_policy');
  a = await startInProcess(env(database), { auth: true, dataDir: dir.dir });
  b = await startInProcess(env(database), { auth: true, dataDir: dir.dir });
  const admin = await signInAdmin(a);
  expect((await admin('POST', `${L}/namespace/lr/create`, {})).status).toBe(200);
  const adminToken = await tokenOf(a.lakegate.app, a.admin().client_id, a.admin().client_secret);
  const created = await a.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/lr%24people/create`,
    payload: ipc(),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${adminToken}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  await grant(admin, 'lr-analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['lr'], name: 'people' });
  const policy = await admin('POST', '/management/v1/warehouses/default/namespaces/lr/tables/people/policies', {
    kind: 'row-filter',
    roles: ['lr-analysts'],
    filter: { type: 'eq', term: 'region', value: 'eu' },
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
  // Version 1 prepared on A in the background after the policy was created (catalog/lance/policy-prepare.ts).
  await a.lakegate.services.lance.tables.policyPreparer.idle();
}, 300_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  dir.cleanup();
});

it('writes one derived dataset for a version when restricted readers on two replicas read it at once', async () => {
  // Three analysts (one policy version), signed in on either replica.
  const admin = await signInAdmin(a);
  const readers: Send[] = [];
  for (const [i, on] of [a, b, b].entries()) {
    const p = await a.lakegate.principals.create(`lr-analyst-${i}`);
    await addMember(admin, 'lr-analysts', { kind: 'principal', name: p.clientId });
    readers.push(bearerSender(on.lakegate.app, await tokenOf(on.lakegate.app, p.clientId, p.clientSecret)));
  }
  const describe = (send: (typeof readers)[number]) => send('POST', `${L}/table/lr%24people/describe`, {});
  const held = holdDerivations(a);
  // A commit on A (version 2): A's background preparation derives it (held), A's reader joins that derivation.
  const updated = await admin('POST', `${L}/table/lr%24people/update_field_metadata`, { updates: [{ path: 'region', metadata: { note: 'x' } }] });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  await waitFor(
    'A deriving',
    () => held.started(),
    (n) => n >= 1,
  );
  const onA = describe(readers[0]!);
  // B's readers while A derives: they wait for A's claim (or, without claims, derive their own).
  let bAnswered = false;
  const onB = Promise.all([describe(readers[1]!), describe(readers[2]!)]).finally(() => (bAnswered = true));
  await waitFor('B waiting for the claim, or answered', async () => bAnswered || (await waitingClaims(database)) > 0, Boolean);
  held.release();
  const answers = [await onA, ...(await onB)];
  for (const r of answers) expect(r.status, stringifyJson(r.body)).toBe(200);
  const location = answers[0]!.body.location as string;
  expect(location).toMatch(/_lakegate\/policy\/[A-Za-z0-9_-]+\/lance-v2-[0-9a-f-]+\.lance$/);
  for (const r of answers) expect(r.body.location).toBe(location);
  // Exactly one dataset for the version under the policy version's prefix.
  const prefix = path.dirname(fileURLToPath(location));
  expect(readdirSync(prefix).filter((f) => f.startsWith('lance-v2-') && f.endsWith('.lance'))).toEqual([path.basename(fileURLToPath(location))]);
  await a.lakegate.services.lance.tables.policyPreparer.idle();
  // And it holds the admitted rows only.
  const db = await lancedb.connect(prefix);
  const table = await db.openTable(path.basename(fileURLToPath(location)).replace(/\.lance$/, ''));
  const ids = ((await table.query().toArray()) as Array<{ id: number }>).map((r) => Number(r.id)).sort();
  table.close();
  db.close();
  expect(ids).toEqual([1, 3]);
}, 300_000);

it('leaves nothing in the location when replica B drops the table while A derives: A deletes what it wrote, its reader gets a 404', async () => {
  const admin = await signInAdmin(a);
  const adminToken = await tokenOf(a.lakegate.app, a.admin().client_id, a.admin().client_secret);
  const created = await a.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/lr%24gone/create`,
    payload: ipc(),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${adminToken}` },
  });
  expect(created.statusCode, created.body).toBe(200);
  const gone = { type: 'table' as const, warehouse: 'default', namespace: ['lr'], name: 'gone' };
  await grant(admin, 'lr-gone-analysts', ['table:read-data'], gone);
  const p = await a.lakegate.principals.create('lr-gone-analyst');
  await addMember(admin, 'lr-gone-analysts', { kind: 'principal', name: p.clientId });
  const reader = bearerSender(a.lakegate.app, await tokenOf(a.lakegate.app, p.clientId, p.clientSecret));
  const tableDir = fileURLToPath(((await admin('POST', `${L}/table/lr%24gone/describe`, {})).body.location as string).replace(/\/+$/, ''));
  // A's deriver holds the next derivation once it has written its dataset (B's drop can neither abort nor wait for it).
  const reads = a.lakegate.services.lance.tables.policyReads;
  const original = (reads as unknown as { deriver: LancePolicyDeriver }).deriver;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let written = false;
  reads.useDeriver({
    unavailable: () => original.unavailable(),
    inspect: (source) => original.inspect(source),
    derive: async (source, target, policy) => {
      const out = await original.derive(source, target, policy);
      written = true;
      await gate;
      return out;
    },
  });
  try {
    // The policy starts A's background preparation of version 1: held once written.
    const policy = await admin('POST', '/management/v1/warehouses/default/namespaces/lr/tables/gone/policies', {
      kind: 'row-filter',
      roles: ['lr-gone-analysts'],
      filter: { type: 'eq', term: 'region', value: 'eu' },
    });
    expect(policy.status, stringifyJson(policy.body)).toBe(201);
    await waitFor('A has written its dataset', () => written, Boolean);
    // A's reader joins A's derivation.
    const onA = reader('POST', `${L}/table/lr%24gone/describe`, {});
    const adminB = await signInAdmin(b);
    const dropped = await adminB('POST', `${L}/table/lr%24gone/drop`, {});
    expect(dropped.status, stringifyJson(dropped.body)).toBe(200);
    release();
    const answer = await onA;
    expect(answer.status, stringifyJson(answer.body)).toBe(404);
    await a.lakegate.services.lance.tables.policyPreparer.idle();
    const left = existsSync(tableDir)
      ? (readdirSync(tableDir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string }>).filter((e) => e.isFile())
      : [];
    expect(left.map((e) => e.name)).toEqual([]);
  } finally {
    release();
    reads.useDeriver(original);
  }
}, 300_000);
