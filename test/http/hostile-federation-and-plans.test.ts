/**
 * Hostile connection settings for a federated warehouse (create, and PUT …/federation on one that works), in process
 * against a real remote Lakegate: a remote address carrying a secret outside its userinfo (a query token, a
 * signature, a fragment), spaces or control characters (which the URL parser drops, so the address connected to is
 * not the one stored), or a giant one, is a 400 that never echoes it; nothing is created, and the working settings
 * stay. Before the fix such an address went to the connection test and its 400 named it in full (the secret with it),
 * and one whose tab the parser dropped passed the test and was stored and shown as sent.
 * Also (a guard, below): a stored scan plan fetched again after the caller's policies changed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grant } from '../support/access.js';
import { federatedWarehouse, show, startFront, startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import { appendUpdates, peopleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { writeRows } from '../support/policy-people.js';
import { signInAdmin, tokenOf, type CatalogWithCallers } from '../support/principals.js';

let remote: RemoteLakegate;
/** A warehouse as the list shows it (undefined when there is none by that name). */
const warehouse = async (name: string) =>
  ((await front.admin('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; federation?: unknown }>).find((w) => w.name === name);
let front: CatalogWithCallers;
const SECRET = 'SEKRET-never-echoed';
const FEDERATION = '/management/v1/warehouses/fed/federation';

beforeAll(async () => {
  remote = await startRemoteLakegate();
  front = await startFront(remote, { warehouse: 'fed', namespace: 'sales' });
}, 60_000);
afterAll(async () => {
  await front?.cat.close();
  await remote?.cat.close();
});

/** Hostile remote addresses (built on the working one), and what the 400 says. */
const hostile = (): Array<[string, Record<string, unknown>, RegExp]> => [
  ['a token in the query', { uri: `${remote.url}/?token=${SECRET}` }, /must not carry a query or fragment/],
  ['an empty query', { uri: `${remote.url}/?` }, /must not carry a query or fragment/],
  ['a secret in the fragment', { uri: `${remote.url}/#${SECRET}` }, /must not carry a query or fragment/],
  ['a tab the URL parser drops', { uri: `${remote.url}\t` }, /must not contain spaces or control characters/],
  ['a newline', { uri: `${remote.url}/a\n${SECRET}` }, /must not contain spaces or control characters/],
  ['a space', { uri: `${remote.url}/ ${SECRET}` }, /must not contain spaces or control characters/],
  ['a giant address', { uri: `${remote.url}/${SECRET}${'a'.repeat(300_000)}` }, /must be at most 2048 characters/],
  ['a signed token endpoint', { 'oauth2-server-uri': `${remote.url}/v1/oauth/tokens?X-Amz-Signature=${SECRET}` }, /oauth2-server-uri must not carry a query/],
];

describe('a federated remote address', () => {
  it('is refused at creation (400, never echoed), and nothing is created', async () => {
    for (const [what, extra, message] of hostile()) {
      const body = federatedWarehouse(
        'hostile',
        remote.root,
        { uri: remote.url, clientId: remote.creds.client_id, clientSecret: remote.creds.client_secret },
        extra,
      );
      const res = await front.admin('POST', '/management/v1/warehouses', body);
      expect(res.status, `${what}: ${show(res.body).slice(0, 300)}`).toBe(400);
      expect(res.body.error.message, what).toMatch(message);
      expect(show(res.body), what).not.toContain(SECRET);
      expect(await warehouse('hostile'), what).toBeUndefined();
    }
  });

  it('is refused by PUT …/federation (400, never echoed), and the working settings stay', async () => {
    const before = (await warehouse('fed'))?.federation as { uri: string };
    expect(before.uri).toBe(remote.url);
    for (const [what, extra, message] of hostile()) {
      const federation = { kind: 'iceberg-rest', uri: remote.url, warehouse: 'default', 'client-id': remote.creds.client_id, 'timeout-ms': 4000, ...extra };
      const res = await front.admin('PUT', FEDERATION, { federation });
      expect(res.status, `${what}: ${show(res.body).slice(0, 300)}`).toBe(400);
      expect(res.body.error.message, what).toMatch(message);
      expect(show(res.body), what).not.toContain(SECRET);
    }
    expect((await warehouse('fed'))?.federation).toEqual(before);
    expect((await front.admin('GET', '/v1/fed/namespaces')).body.namespaces).toContainEqual(['sales']);
    expect(front.cat.logs()).not.toContain(SECRET);
  });

  it('is refused for the Glue kind too (its endpoint override)', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', {
      name: 'glued',
      'storage-root': remote.root,
      'storage-profile': { type: 'file' },
      federation: { kind: 'glue', region: 'us-east-1', uri: `http://127.0.0.1:9/?X-Amz-Security-Token=${SECRET}`, 'timeout-ms': 300 },
    });
    expect(res.status, show(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(/must not carry a query or fragment/);
    expect(show(res.body)).not.toContain(SECRET);
  });
});

/**
 * A stored scan plan fetched again (GET …/plan/{plan-id}) after the caller's row/column policies changed. Guard, no
 * defect: the store keeps plan tasks, never an inline answer's file list, and each task is expanded under the
 * caller's policies at fetch time, so a plan made before a row filter applied, or under an older policy version, yields
 * only the current version's policy-enforced files, never the originals.
 */
describe('a stored plan fetched after the policies changed', () => {
  let cat: TestCatalog;
  let admin: Send;
  let analyst: Send;
  let location = '';
  const TABLE = '/v1/default/namespaces/crm/tables/people';
  const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/people/policies';

  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    admin = await signInAdmin(cat);
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
    const created = await admin('POST', '/v1/default/namespaces/crm/tables', { name: 'people', schema: peopleSchema(['id', 'region', 'email', 'born']) });
    expect(created.status, show(created.body)).toBe(200);
    location = created.body.metadata.location;
    const file = `${location}/data/eu-1.parquet`;
    mkdirSync(path.dirname(fileURLToPath(file)), { recursive: true });
    const rows = [0n, 1n, 2n].map((id) => ({ id, region: id === 1n ? 'us' : 'eu', email: `u${id}@x.com`, born: Date.UTC(1980, 0, 1) }));
    await writeRows(file, rows);
    const manifest = `${location}/metadata/data.avro`;
    const length = await writeManifest(
      manifest,
      ['region'],
      [{ status: 1, snapshotId: 1n, sequenceNumber: 1, file: { path: file, partition: ['eu'], records: 3 } }],
    );
    const list = `${location}/metadata/snap-1.avro`;
    await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }]);
    const c = appendUpdates((await admin('GET', TABLE)).body.metadata, list);
    expect((await admin('POST', TABLE, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
    await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crm'], name: 'people' });
    const p = await cat.lakegate.principals.create('analyst');
    expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
    analyst = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
  }, 60_000);
  afterAll(async () => cat?.close());

  /** The data files a stored plan yields now: its answer fetched again, each plan task expanded. */
  const filesOf = async (planId: string): Promise<string[]> => {
    const res = await analyst('GET', `${TABLE}/plan/${planId}`);
    expect(res.status, show(res.body).slice(0, 300)).toBe(200);
    const files: string[] = (res.body['file-scan-tasks'] ?? []).map((t: { 'data-file': { 'file-path': string } }) => t['data-file']['file-path']);
    for (const token of res.body['plan-tasks'] ?? []) {
      const page = await analyst('POST', `${TABLE}/tasks`, { 'plan-task': token });
      expect(page.status, show(page.body).slice(0, 300)).toBe(200);
      for (const t of page.body['file-scan-tasks'] ?? []) files.push(t['data-file']['file-path']);
    }
    return files;
  };

  it("yields only the current policy version's files for a plan made before a policy applied, or under an older version", async () => {
    const before = await analyst('POST', `${TABLE}/plan`, {});
    expect(before.status, show(before.body)).toBe(200);
    expect(await filesOf(before.body['plan-id'])).toEqual([`${location}/data/eu-1.parquet`]);
    const policy = await admin('POST', POLICIES, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(policy.status, show(policy.body)).toBe(201);
    const first = await filesOf(before.body['plan-id']);
    expect(first.length).toBe(1);
    expect(first[0]).toContain('/_lakegate/policy/');
    const changed = await admin('PUT', `${POLICIES}/${policy.body.id}`, { roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'us' } });
    expect(changed.status, show(changed.body)).toBe(200);
    const second = await filesOf(before.body['plan-id']);
    expect(second.length).toBe(1);
    expect(second[0]).toContain('/_lakegate/policy/');
    expect(second[0]!.split('/').at(-2)).not.toBe(first[0]!.split('/').at(-2));
  });
});
