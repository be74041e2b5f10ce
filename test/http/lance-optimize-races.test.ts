/**
 * Issue 58/59, Lance: optimize (the real LanceDB adapter, lance-optimize/lancedb-optimizer.ts) losing its commit race
 * to a client's commit, in process and deterministically, without sleeps. The test holds each CreateTableVersion of
 * the job (test/support/held-commits.ts: the catalog's version service, wrapped) until a LanceDB client on the public
 * surface has committed its change; the job's commit then finds its version taken (409), and Lance decides.
 *
 * A commit Lance finds incompatible with the job's (a client restoring the version the job planned on: "This
 * ReserveFragments transaction is incompatible with concurrent transaction Restore") preempts every attempt, and the
 * restored version has the same work, so the job gives up after three with 409 (ERR_COMMIT_CONFLICT, never the 503 it
 * was before the lost race was classified: lanceConflict), nothing of it committed and every restore kept. A delete of
 * rows in fragments the job rewrote preempts its first attempt ("Retryable commit conflict … preempted by concurrent
 * transaction Delete"), and the job plans again and compacts the new version, the delete kept. (Held again on the
 * later attempts, LanceDB 0.39 / Lance 12 took the deletes in, retrying its commit with backoff, 0.3 to 2.5 s a time:
 * a delete cannot make all three attempts lose in a test's time, a Restore can.)
 *
 * The fence is off here (LAKEGATE_LANCE_COMMIT_FENCE_MS=0): once a commit of the job lost, the fence would hold the
 * client's next change until the job's next commit, and the test holds that commit until the change lands.
 */
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CatalogRequest } from '../../packages/server/src/catalog/context.js';
import { holding } from '../support/held-commits.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
const MAINTENANCE = (table: string) => `/management/v1/warehouses/default/namespaces/race/tables/${table}/maintenance`;
let cat: TestCatalog;
let admin = '';
let url = '';

const call = async (method: 'GET' | 'POST', path: string, payload?: unknown) => {
  const res = await cat.lakegate.app.inject({
    method,
    url: path,
    ...(method === 'POST' ? { payload: JSON.stringify(payload ?? {}), headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` } } : {}),
    ...(method === 'GET' ? { headers: { authorization: `Bearer ${admin}` } } : {}),
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
};
const connect = () => lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${admin}` } });
/** The job's commits (the catalog's own, as `system:maintenance`), not the client's. */
const jobs = (request: CatalogRequest) => request.caller.key === 'system:maintenance';

/** A table of `n` fragments of ten rows (each append a fragment: rows 10k to 10k + 9), written by LanceDB through the public surface. */
async function fragmented(name: string, n: number): Promise<void> {
  const rows = (k: number) => Array.from({ length: 10 }, (_, i) => ({ id: 10 * k + i }));
  const t = await (await connect()).createTable(name, rows(0), ['race']);
  for (let k = 1; k < n; k++) await t.add(rows(k));
  t.close();
}
/** The client's change: LanceDB deletes the next row of `ids` (in a fragment the job is rewriting) through the public surface. */
const deleting = (name: string, ids: number[]) => async () => {
  const t = await (await connect()).openTable(name, ['race']);
  try {
    await t.delete(`id = ${ids.shift()}`);
  } finally {
    t.close();
  }
};
async function state(name: string): Promise<{ ids: number[]; fragments: number; creators: string[] }> {
  const t = await (await connect()).openTable(name, ['race']);
  try {
    const rows = (await t.query().select(['id']).toArray()) as Array<{ id: number | bigint }>;
    const listed = await call('POST', `${L}/table/race%24${name}/version/list`);
    return {
      ids: rows.map((r) => Number(r.id)).sort((x, y) => x - y),
      fragments: (await t.stats()).fragmentStats.numFragments,
      creators: (listed.body!.versions as Array<{ metadata: Record<string, string> }>).map((v) =>
        v.metadata['lakegate.created-by']!.startsWith('system:maintenance') ? 'job' : 'client',
      ),
    };
  } finally {
    t.close();
  }
}

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_LANCE_COMMIT_FENCE_MS: '0' }, { auth: true });
  const a = cat.admin();
  admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as { port: number }).port}`;
  expect((await call('POST', `${L}/namespace/race/create`)).status).toBe(200);
});
afterAll(async () => cat?.close());

it('optimize losing each of its three attempts to an incompatible commit (a client restoring the old version) answers 409; the restores are kept, nothing of the job', async () => {
  await fragmented('always', 8);
  // Before each commit of the job, the client restores version 8 (the eight fragments): Lance finds the job's commit
  // incompatible with that Restore, and the job's next attempt, planned on the restored version, has the same work.
  const restore = async () => {
    const t = await (await connect()).openTable('always', ['race']);
    try {
      await t.checkout(8);
      await t.restore();
    } finally {
      t.close();
    }
  };
  const { result, held } = await holding(cat, jobs, restore, () => call('POST', MAINTENANCE('always'), { actions: ['optimize'] }), 3);
  expect(held).toBe(3);
  expect(result.status, JSON.stringify(result.body)).toBe(409);
  expect(result.body!.error).toMatchObject({
    code: 409,
    type: 'CommitFailedException',
    message: expect.stringMatching(
      /^optimize gave up after 3 attempt\(s\), each preempted by a concurrent change \(incompatible with concurrent transaction Restore at version 11\); the concurrent changes were kept/,
    ),
  });
  expect((await call('GET', MAINTENANCE('always'))).body!.state).toBe('failed');
  // The table as the client left it: its three restores on top of its eight versions, every row, no version of the job's.
  const after = await state('always');
  expect(after.ids).toEqual(Array.from({ length: 80 }, (_, i) => i));
  expect(after.fragments).toBe(8);
  expect(after.creators).toEqual(Array.from({ length: 11 }, () => 'client'));
});

it('optimize preempted once by a delete of rows in fragments it rewrote plans again on the new version and compacts it, the delete kept', async () => {
  await fragmented('once', 8);
  const { result, held } = await holding(cat, jobs, deleting('once', [0]), () => call('POST', MAINTENANCE('once'), { actions: ['optimize'] }));
  expect(held).toBe(1);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.body!.optimize).toMatchObject({ attempts: 2, 'fragments-removed': 8, 'fragments-added': 1, 'version-before': 8 });
  const after = await state('once');
  expect(after.ids).toEqual(Array.from({ length: 79 }, (_, i) => i + 1));
  expect(after.fragments).toBe(1);
  expect(after.creators.slice(0, 9)).toEqual(Array.from({ length: 9 }, () => 'client'));
  expect(after.creators.slice(9).every((c) => c === 'job')).toBe(true);
});
