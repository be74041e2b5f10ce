/**
 * CreateTableBranch (lance-namespace 0.13, `POST /table/{id}/branches/create`) against a real server process: the
 * catalog's LanceDB creates the branch on its private loopback namespace as the caller, from main's latest version, an
 * older version of main, or another branch. LanceDB Node 0.39, through Lakegate's namespace, checks each branch out and
 * reads the rows of the version it started from, and writes on it without touching main; ListTableBranches names each
 * with its parent (a nested name's ref read where Lance keeps it), DeleteTableBranch frees a nested name for a new
 * branch; the creation is audited as the caller. A name in use is 409 (code 23), an unknown source version or
 * branch 404 (codes 11 and 22), a reader 403, and none of them creates anything; of two creations of one name at once,
 * one wins and the other is that 409. On MinIO: the ref's key is the percent-encoded one Lance reads, and a deleted
 * branch leaves no object of its own. The refusals before the library, in
 * process: test/http/lance-branches.test.ts.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { connectLance, minioLanceWarehouse, startLanceWriters } from '../support/lance-writers.js';
import type { Minio } from '../support/minio.js';
import type { ServerProcess } from '../support/server-process.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;
let writerName: string;
let readerToken: string;

beforeAll(async () => {
  ({ server, send, writerToken, writerName, readerToken } = await startLanceWriters('branch'));
}, 180_000);
afterAll(async () => server?.stop());

const connect = (warehouse = 'default') => connectLance(server, writerToken, warehouse);
const branchCreate = async (body: unknown, token = writerToken, warehouse = 'default') => {
  const res = await fetch(`${server.url}/lance/${warehouse}/v1/table/bc%24src/branches/create`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const branchList = async (warehouse = 'default') =>
  (await send('POST', `/lance/${warehouse}/v1/table/bc%24src/branches/list`, {})).body.branches as Record<string, any>;
/** The ids LanceDB reads on a branch (main when undefined), through the namespace. */
async function idsOn(branch: string | undefined, warehouse = 'default'): Promise<number[]> {
  const db = await connect(warehouse);
  const table = await db.openTable('src', ['bc']);
  const on = branch === undefined ? table : await (await table.branches()).checkout(branch);
  try {
    return ((await on.query().toArray()) as { id: number }[]).map((r) => Number(r.id)).sort((a, b) => a - b);
  } finally {
    if (on !== table) on.close();
    table.close();
    db.close();
  }
}

it('creates branches from main, an older version and another branch, which LanceDB reads and writes on', async () => {
  const db = await connect();
  await db.createNamespace(['bc']);
  const table = await db.createTable('src', [{ id: 1 }], ['bc']);
  await table.add([{ id: 2 }]);
  expect(await table.version()).toBe(2);
  table.close();
  db.close();

  // From main's latest: the answer is the spec's empty one.
  expect(await branchCreate({ name: 'dev' })).toEqual({ status: 200, body: {} });
  expect(await idsOn('dev')).toEqual([1, 2]);
  // From an older version of main.
  expect(await branchCreate({ name: 'old', from_version: 1 })).toMatchObject({ status: 200 });
  expect(await idsOn('old')).toEqual([1]);
  // A write on dev stays on dev; a branch of dev starts from it.
  const dev = await (await (await (await connect()).openTable('src', ['bc'])).branches()).checkout('dev');
  await dev.add([{ id: 3 }]);
  dev.close();
  expect(await branchCreate({ name: 'team/nested', from_branch: 'dev' })).toMatchObject({ status: 200 });
  expect(await idsOn('team/nested')).toEqual([1, 2, 3]);
  expect(await idsOn(undefined)).toEqual([1, 2]);

  const branches = await branchList();
  expect(Object.keys(branches).sort()).toEqual(['dev', 'old', 'team/nested']);
  expect(branches.dev).toMatchObject({ parentVersion: 2 });
  expect(branches.old).toMatchObject({ parentVersion: 1 });
  expect(branches['team/nested']).toMatchObject({ parentBranch: 'dev', parentVersion: 3 });

  // dev is team/nested's parent: Lance and the catalog alike refuse to delete it first.
  expect((await send('POST', '/lance/default/v1/table/bc%24src/branches/delete', { name: 'dev' })).status).toBe(409);
  // Deleting a nested branch removes Lance's ref too (kept percent-encoded, team%2Fnested.json), so the name is free again.
  expect((await send('POST', '/lance/default/v1/table/bc%24src/branches/delete', { name: 'team/nested' })).status).toBe(200);
  expect(await branchCreate({ name: 'team/nested', from_version: 1 })).toMatchObject({ status: 200 });
  expect(await idsOn('team/nested')).toEqual([1]);
  expect((await branchList())['team/nested']).toMatchObject({ parentVersion: 1 });

  const audit = (await send('GET', '/management/v1/audit?type=lance.branch.created&limit=50')).body.events as Array<{
    actor: string;
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  const mine = audit.filter((e) => e.object?.endsWith('bc.src'));
  expect(mine.map((e) => e.detail!.branch).sort()).toEqual(['dev', 'old', 'team/nested', 'team/nested']);
  expect(mine.every((e) => e.actor.includes(writerName))).toBe(true);
});

it('answers two creations of one name at once with one branch and one 409', async () => {
  const answers = await Promise.all([branchCreate({ name: 'race' }), branchCreate({ name: 'race', from_version: 1 })]);
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ code: 23 });
  const won = answers[0]!.status === 200 ? [1, 2] : [1];
  expect(await idsOn('race')).toEqual(won);
  expect((await send('POST', '/lance/default/v1/table/bc%24src/branches/delete', { name: 'race' })).status).toBe(200);
});

it('refuses a name in use (409), an unknown source (404) and a reader (403), creating nothing', async () => {
  const before = await branchList();
  expect(await branchCreate({ name: 'dev' })).toMatchObject({ status: 409, body: { code: 23 } });
  expect(await branchCreate({ name: 'x', from_version: 99 })).toMatchObject({ status: 404, body: { code: 11 } });
  expect(await branchCreate({ name: 'x', from_branch: 'nowhere' })).toMatchObject({ status: 404, body: { code: 22 } });
  expect(await branchCreate({ name: 'x' }, readerToken)).toMatchObject({ status: 403, body: { code: 15 } });
  expect(await branchList()).toEqual(before);
  expect(await idsOn('dev')).toEqual([1, 2, 3]);
});

describe('on object storage (MinIO): the ref of a nested name is the percent-encoded key Lance reads, and a deleted branch leaves no object', () => {
  const BUCKET = 'lakegate-lance-branches';
  const WAREHOUSE = 'lancebr';
  let minio: Minio;
  beforeAll(async () => {
    minio = await minioLanceWarehouse({ server, send, writerToken, writerName, readerToken }, BUCKET, WAREHOUSE);
  }, 120_000);
  afterAll(async () => minio?.stop());

  const keys = async () => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };

  it('creates, reads, deletes and creates again a nested branch in the bucket', async () => {
    const db = await connect(WAREHOUSE);
    await db.createNamespace(['bc']);
    const table = await db.createTable('src', [{ id: 1 }], ['bc']);
    await table.add([{ id: 2 }]);
    table.close();
    db.close();
    expect(await branchCreate({ name: 'team/x', from_version: 1 }, writerToken, WAREHOUSE)).toEqual({ status: 200, body: {} });
    expect(await idsOn('team/x', WAREHOUSE)).toEqual([1]);
    const refs = (await keys()).filter((k) => k.includes('/_refs/branches/'));
    expect(refs.map((k) => k.slice(k.indexOf('/_refs/')))).toEqual(['/_refs/branches/team%2Fx.json']);
    expect((await keys()).some((k) => k.includes('/tree/team/x/_versions/'))).toBe(true);
    expect(await branchList(WAREHOUSE)).toMatchObject({ 'team/x': { parentVersion: 1 } });

    expect((await send('POST', `/lance/${WAREHOUSE}/v1/table/bc%24src/branches/delete`, { name: 'team/x' })).status).toBe(200);
    expect((await keys()).filter((k) => k.includes('/_refs/branches/') || k.includes('/tree/'))).toEqual([]);
    expect(await branchCreate({ name: 'team/x' }, writerToken, WAREHOUSE)).toMatchObject({ status: 200 });
    expect(await idsOn('team/x', WAREHOUSE)).toEqual([1, 2]);
    expect(await idsOn(undefined, WAREHOUSE)).toEqual([1, 2]);
  }, 120_000);
});
