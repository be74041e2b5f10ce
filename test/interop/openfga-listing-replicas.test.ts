/**
 * A listing's reads of the caller's grants (catalog/access/grant-reads.ts) kept across its page requests, against a
 * real OpenFGA and two in-process replicas on one PostgreSQL sharing one OpenFGA store: a walk reads the grants once
 * (its next pages make no OpenFGA Read request), and a grant revoked through Lakegate's API stops showing its table
 * at once on the replica that revoked it (whose clock stands still: only the invalidation can explain it) and within
 * authzCacheSeconds on the other; a new grant shows the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grant, grantPrincipal, revoke } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { tempDir } from '../support/temp.js';

const AUTHZ_CACHE_SECONDS = 2;
const TABLES = 120;
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const tableRef = (name: string) => ({ type: 'table' as const, warehouse: 'default', namespace: ['wide'], name });
const names = Array.from({ length: TABLES }, (_, i) => `t${String(i).padStart(3, '0')}`);
const granted = names.filter((_, i) => i % 2 === 1);

const cluster = usePostgresCluster('lakegate-pg-fga-listing-');
const dir = tempDir('lakegate-pg-fga-listing-data-');
let fga: OpenFga;
let a: TestCatalog;
let b: TestCatalog;
let adminA: Send;
let readerOnA: Send;
let readerOnB: Send;
let role: string;

beforeAll(async () => {
  fga = await startOpenFga({ maxChecksPerBatchCheck: 200 });
  const env = {
    ...(await fga.lakegateEnv()),
    LAKEGATE_DATABASE: cluster.database('fgalisting'),
    LAKEGATE_SECRET_KEY: 'f'.repeat(43) + '=',
    LAKEGATE_PUBLIC_URL: 'http://catalog.example.test',
    LAKEGATE_AUTHZ_CACHE_SECONDS: String(AUTHZ_CACHE_SECONDS),
  };
  const frozen = Date.now();
  a = await startInProcess(env, { auth: true, dataDir: dir.dir, clock: { now: () => frozen } });
  b = await startInProcess(env, { auth: true, dataDir: dir.dir });
  adminA = await signInAdmin(a);
  expect((await adminA('POST', '/v1/default/namespaces', { namespace: ['wide'] })).status).toBe(200);
  for (let i = 0; i < names.length; i += 10) {
    const created = await Promise.all(names.slice(i, i + 10).map((name) => adminA('POST', '/v1/default/namespaces/wide/tables', { name, schema })));
    for (const res of created) expect(res.status).toBe(200);
  }
  const p = await a.lakegate.principals.create('walker');
  readerOnA = bearerSender(a.lakegate.app, await tokenOf(a.lakegate.app, p.clientId, p.clientSecret));
  readerOnB = bearerSender(b.lakegate.app, await tokenOf(b.lakegate.app, p.clientId, p.clientSecret));
  role = await grantPrincipal(adminA, p.clientId, ['table:read-metadata'], tableRef(granted[0]!));
  for (const name of granted.slice(1)) await grant(adminA, role, ['table:read-metadata'], tableRef(name));
}, 300_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await fga?.stop();
  dir.cleanup();
});

const reads = async () => (await fga.requestCounts()).Read ?? 0;

/** A walk of every page (pageSize 25): the names listed, and OpenFGA's Read requests of each page. */
async function walk(reader: Send): Promise<{ names: string[]; reads: number[] }> {
  const out = { names: [] as string[], reads: [] as number[] };
  let token = '';
  do {
    const before = await reads();
    const res = await reader('GET', `/v1/default/namespaces/wide/tables?pageSize=25&pageToken=${encodeURIComponent(token)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.reads.push((await reads()) - before);
    out.names.push(...res.body.identifiers.map((i: { name: string }) => i.name));
    token = res.body['next-page-token'] ?? '';
  } while (token !== '');
  return out;
}

/** Walks on `reader` until `done` holds of the names listed; the milliseconds it took from `since`. */
async function walkUntil(reader: Send, done: (listed: string[]) => boolean, since: number): Promise<number> {
  for (;;) {
    const listed = (await walk(reader)).names;
    if (done(listed)) return Date.now() - since;
    if (Date.now() - since > 20_000) throw new Error('not seen after 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OpenFGA: a listing walk keeps the caller’s grants within the revocation bound', () => {
  it('reads the grants once per walk, not once per page request', async () => {
    const first = await walk(readerOnA);
    expect(first.names).toEqual(granted);
    expect(first.reads.length).toBeGreaterThanOrEqual(3);
    // Page 1 reads the walker's roles and their grants; the next pages read nothing (before: the same on each page).
    expect(first.reads[0]).toBeGreaterThan(0);
    expect(first.reads.slice(1)).toEqual(first.reads.slice(1).map(() => 0));
    // A second walk within the bound reads nothing either.
    expect((await walk(readerOnA)).reads).toEqual(first.reads.map(() => 0));
    // The other replica reads for itself, once.
    const onB = await walk(readerOnB);
    expect(onB.names).toEqual(granted);
    expect(onB.reads.slice(1)).toEqual(onB.reads.slice(1).map(() => 0));
  });

  it('stops showing a revoked table at once on the replica that revoked it, and within authzCacheSeconds on the other', async () => {
    // Both replicas have walked and kept the walker's grants.
    expect((await walk(readerOnA)).names).toEqual(granted);
    expect((await walk(readerOnB)).names).toEqual(granted);
    const gone = granted[30]!;
    await revoke(adminA, role, ['table:read-metadata'], tableRef(gone));
    const revokedAt = Date.now();
    // A's clock stands still: its kept reads never expire, so only the revoke's invalidation can explain this.
    const onA = await walk(readerOnA);
    expect(onA.names).toEqual(granted.filter((n) => n !== gone));
    expect(onA.reads[0]).toBeGreaterThan(0);
    const tookOnB = await walkUntil(readerOnB, (listed) => !listed.includes(gone), revokedAt);
    // Within the bound (a walk of 3 pages on a busy machine adds its own time on top).
    expect(tookOnB).toBeLessThan(AUTHZ_CACHE_SECONDS * 1000 + 3_000);

    // A new grant shows the same way: at once on A, within the bound on B.
    const added = names[0]!;
    await grant(adminA, role, ['table:read-metadata'], tableRef(added));
    const grantedAt = Date.now();
    expect((await walk(readerOnA)).names).toEqual([added, ...granted.filter((n) => n !== gone)]);
    const tookAdded = await walkUntil(readerOnB, (listed) => listed.includes(added), grantedAt);
    expect(tookAdded).toBeLessThan(AUTHZ_CACHE_SECONDS * 1000 + 3_000);
  });
});
