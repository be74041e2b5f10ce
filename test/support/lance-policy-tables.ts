/**
 * The setup the in-process Lance policy tests share: a restricted reader (read on one table, with a row filter for
 * its role), the files a test watches on a file warehouse, a dataset LanceDB wrote itself, registered (its versions
 * its own), and a table whose derivation is left for the analyst's first read.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { LancePolicyDeriver } from '../../packages/server/src/catalog/ports/lance-policy.js';
import { addMember, grant } from './access.js';
import type { Send } from './iceberg-http.js';
import type { TestCatalog } from './in-process.js';
import { tokenOf } from './principals.js';

/** The row filter these tests put on a table unless they say otherwise: region = 'eu'. */
export const EU_ONLY = { type: 'eq', term: 'region', value: 'eu' } as const;

/**
 * Gives the principal `principalId` read on the table `namespace.name` of the default warehouse through `role`, and
 * puts a row filter (by default EU_ONLY) on the table for that role. Answers the created policy.
 */
export async function rowFilteredReader(
  admin: Send,
  table: { namespace: string; name: string },
  role: string,
  principalId: string,
  filter: Record<string, unknown> = EU_ONLY,
): Promise<Record<string, unknown>> {
  await grant(admin, role, ['table:read-data'], { type: 'table', warehouse: 'default', namespace: [table.namespace], name: table.name });
  await addMember(admin, role, { kind: 'principal', name: principalId });
  const policy = await admin('POST', `/management/v1/warehouses/default/namespaces/${table.namespace}/tables/${table.name}/policies`, {
    kind: 'row-filter',
    roles: [role],
    filter,
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
  return policy.body as Record<string, unknown>;
}

/** Posts each policy to `policies` (a table's policies URL), expecting a 400 whose answer matches its message; then none is stored. */
export async function expectRefused(admin: Send, policies: string, refused: ReadonlyArray<readonly [Record<string, unknown>, RegExp]>): Promise<void> {
  for (const [body, message] of refused) {
    const res = await admin('POST', policies, body);
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(stringifyJson(res.body)).toMatch(message);
  }
  expect((await admin('GET', policies)).body.policies).toEqual([]);
}

/** Every file under `dir` (none when it is gone), relative to it, sorted. */
export const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort()
    : [];

/**
 * A Lance namespace `namespace` in the default warehouse holding `ext`: a dataset LanceDB wrote itself (ids 1 and 2,
 * regions eu and us) beside a declared table's directory, registered, so its versions are its own. Answers the
 * dataset's directory and its parent (where LanceDB opens it as `ext`).
 */
export async function registeredLanceDataset(admin: Send, namespace: string): Promise<{ parent: string; dataset: string }> {
  const L = '/lance/default/v1';
  expect((await admin('POST', `${L}/namespace/${namespace}/create`, {})).status).toBe(200);
  const declared = await admin('POST', `${L}/table/${namespace}%24anchor/declare`, {});
  expect(declared.status, stringifyJson(declared.body)).toBe(200);
  const parent = path.join(fileURLToPath(declared.body.location as string), '..');
  const db = await lancedb.connect(parent);
  const t = await db.createTable('ext', [
    { id: 1, region: 'eu' },
    { id: 2, region: 'us' },
  ]);
  t.close();
  db.close();
  const dataset = path.join(parent, 'ext.lance');
  expect((await admin('POST', `${L}/table/${namespace}%24ext/register`, { location: `file://${dataset}` })).status).toBe(200);
  return { parent, dataset };
}

/** The ids of the rows of the dataset at `location` (a derived one, as a reader is answered it), in order. */
export async function datasetIds(location: string): Promise<number[]> {
  const dir = fileURLToPath(location.replace(/\/+$/, ''));
  const db = await lancedb.connect(path.dirname(dir));
  const table = await db.openTable(path.basename(dir).replace(/\.lance$/, ''));
  try {
    return ((await table.query().toArray()) as Array<{ id: number }>).map((r) => Number(r.id)).sort((a, b) => a - b);
  } finally {
    table.close();
    db.close();
  }
}

/**
 * The table `namespace.name` of the default warehouse read with LanceDB through Lakegate's Lance namespace at `url`
 * as the holder of `token`: its rows by id, each value as `plain` makes it.
 */
export async function readTableAs(
  url: string,
  token: string,
  table: { namespace: string; name: string },
  plain: (v: unknown) => unknown,
): Promise<Record<string, unknown>[]> {
  const db = await lancedb.connectNamespace('rest', { uri: `${url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  const opened = await db.openTable(table.name, [table.namespace]);
  try {
    return ((await opened.query().toArray()) as Record<string, unknown>[])
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])))
      .sort((a, b) => (a.id as number) - (b.id as number));
  } finally {
    opened.close();
    db.close();
  }
}

/** An Arrow IPC stream of the rows `ids` (int32 `id`; `region` 'eu' for an odd id, 'us' for an even one). */
export const regionRows = (ids: number[]) =>
  Buffer.from(
    tableToIPC(
      new Table({
        id: makeVector(Int32Array.from(ids)),
        region: vectorFromArray(
          ids.map((i) => (i % 2 === 0 ? 'us' : 'eu')),
          new Utf8(),
        ),
      }),
      'stream',
    ),
  );

/** Creates the Lance table `namespace.name` of the default warehouse from an Arrow IPC stream, as the admin. */
export async function createLanceTable(cat: TestCatalog, table: { namespace: string; name: string }, ipc: Uint8Array): Promise<void> {
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `/lance/default/v1/table/${table.namespace}%24${table.name}/create`,
    payload: Buffer.from(ipc),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
}

/** Creates the Lance table `namespace.name` of the default warehouse from the rows `ids` (regionRows), as the admin. */
export const createRegionTable = (cat: TestCatalog, table: { namespace: string; name: string }, ids: number[]): Promise<void> =>
  createLanceTable(cat, table, regionRows(ids));

/**
 * A Lance table `namespace.name` of the default warehouse made of `ids` (regionRows), with a row filter for the
 * analyst through `role`, whose background preparation (policy-prepare.ts) fails to derive (left for the read): the
 * analyst's first read derives. `original` is the catalog's deriver, in place again once the table is set up.
 * Answers the table's directory and uuid.
 */
export async function tableLeftForTheRead(
  cat: TestCatalog,
  admin: Send,
  table: { namespace: string; name: string },
  ids: number[],
  role: string,
  analystId: string,
  original: LancePolicyDeriver,
): Promise<{ dir: string; uuid: string }> {
  const L = '/lance/default/v1';
  const reads = cat.lakegate.services.lance.tables.policyReads;
  reads.useDeriver({
    unavailable: () => original.unavailable(),
    inspect: (s) => original.inspect(s),
    derive: () => Promise.reject(new Error('not while the table is set up')),
  });
  await createRegionTable(cat, table, ids);
  await rowFilteredReader(admin, table, role, analystId);
  await cat.lakegate.services.lance.tables.policyPreparer.idle();
  reads.useDeriver(original);
  const described = await admin('POST', `${L}/table/${table.namespace}%24${table.name}/describe`, {});
  const record = await cat.lakegate.store.repository.getObject('default', [table.namespace], table.name);
  return { dir: fileURLToPath((described.body.location as string).replace(/\/+$/, '')), uuid: record!.uuid };
}
