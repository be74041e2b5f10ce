/**
 * AlterTableAddColumns (lance-namespace 0.13, `POST /table/{id}/add_columns`) against a real server process: LanceDB
 * Node 0.39 creates a table through Lakegate's namespace (catalog-managed versions); a `computed` column is one new
 * version the catalog commits through LanceDB on its private loopback namespace (listed by ListTableVersions), and
 * LanceDB, reopening the table through the namespace, sees the column all-null, fills it with its own
 * `refreshColumn` (committed through CreateTableVersion like any write) and reads the computed values; an
 * `expression` column is evaluated once over the rows there are. A taken name or an expression the table cannot
 * evaluate is a 400 and a reader's call a 403, none committing anything; a `virtual_column` is a 406. The same call
 * from pylance 14's own REST client (`lance_namespace.connect("rest").alter_table_add_columns`, lance-namespace 0.13's
 * models), then LanceDB Python 0.40 reading and refreshing the column (peers/lance/add_columns_call.py). pylance's REST
 * client also describes a table with load_detailed_metadata (its stats and metadata parsed by lance-namespace 0.13's
 * models, the stats equal to LanceDB's own version listing's counts, at the latest version and at a tag LanceDB Python
 * created; the table metadata a registered dataset's pylance set: lance-registered-tags.test.ts) and gets a
 * 400 for an expression dividing by zero on a row, nothing committed (peers/lance/describe_detailed_call.py).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { connectLance, startLanceWriters } from '../support/lance-writers.js';
import { pythonVenv } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;
let readerToken: string;

beforeAll(async () => {
  ({ server, send, writerToken, readerToken } = await startLanceWriters('addcols'));
  expect((await send('POST', '/lance/default/v1/namespace/ac/create', {})).status).toBe(200);
}, 180_000);
afterAll(async () => server?.stop());

const addColumns = async (table: string, body: unknown, token = writerToken) => {
  const res = await fetch(`${server.url}/lance/default/v1/table/ac%24${table}/add_columns`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const versions = async (table: string): Promise<number[]> =>
  ((await send('POST', `/lance/default/v1/table/ac%24${table}/version/list`, {})).body.versions as { version: number }[])
    .map((v) => v.version)
    .sort((a, b) => a - b);
const rows = (ids: number[]) => ids.map((id) => ({ id, name: `item-${id}` }));
const column = async (table: string, name: string): Promise<unknown[]> => {
  const t = await (await connectLance(server, writerToken)).openTable(table, ['ac']);
  const all = (await t.query().select(['id', name]).toArray()) as Record<string, unknown>[];
  t.close();
  return all.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => (typeof r[name] === 'bigint' ? Number(r[name]) : r[name]));
};

describe('AlterTableAddColumns through the Lance namespace (LanceDB Node 0.39 reading and refreshing)', () => {
  it('declares a computed column as one managed version; LanceDB refreshes it through the namespace and reads the values', async () => {
    const db = await connectLance(server, writerToken);
    const table = await db.createTable('points', rows([1, 2, 3]), ['ac']);
    table.close();
    expect(await versions('points')).toEqual([1]);

    const added = await addColumns('points', { new_columns: [{ name: 'doubled', computed: 'id * 2' }] });
    expect(added, JSON.stringify(added.body)).toEqual({ status: 200, body: { version: 2 } });
    expect(await versions('points')).toEqual([1, 2]);
    expect(await column('points', 'doubled')).toEqual([null, null, null]);

    const reopened = await (await connectLance(server, writerToken)).openTable('points', ['ac']);
    await reopened.add(rows([4]));
    const refreshed = await reopened.refreshColumn('doubled');
    expect(refreshed.rowsFilled).toBe(4);
    reopened.close();
    expect(await column('points', 'doubled')).toEqual([2, 4, 6, 8]);
    expect((await versions('points')).length).toBeGreaterThanOrEqual(4);

    // An expression column: evaluated once over the rows there are.
    const before = await versions('points');
    const evaluated = await addColumns('points', { new_columns: [{ name: 'label', expression: "concat(name, '!')" }] });
    expect(evaluated.status, JSON.stringify(evaluated.body)).toBe(200);
    expect(evaluated.body.version).toBe(before.at(-1)! + 1);
    expect(await column('points', 'label')).toEqual(['item-1!', 'item-2!', 'item-3!', 'item-4!']);
  });

  it('refuses a taken name, an expression the table cannot evaluate, a reader and a virtual column, committing nothing', async () => {
    const db = await connectLance(server, writerToken);
    (await db.createTable('guarded', rows([1, 2]), ['ac'])).close();
    const taken = await addColumns('guarded', { new_columns: [{ name: 'name', computed: 'id + 1' }] });
    expect(taken).toMatchObject({ status: 400, body: { code: 13 } });
    expect(taken.body.error).toMatch(/already has a column "name"/);
    const bad = await addColumns('guarded', { new_columns: [{ name: 'x', computed: 'no_such_column * 2' }] });
    expect(bad).toMatchObject({ status: 400, body: { code: 13 } });
    expect(bad.body.error).toMatch(/cannot evaluate/);
    const reader = await addColumns('guarded', { new_columns: [{ name: 'x', computed: 'id + 1' }] }, readerToken);
    expect(reader).toMatchObject({ status: 403, body: { code: 15 } });
    const virtual = await addColumns('guarded', { new_columns: [{ name: 'x', virtual_column: { udf: 'f' } }] });
    expect(virtual).toMatchObject({ status: 406, body: { code: 0 } });
    expect(await versions('guarded')).toEqual([1]);
  });
});

describe('AlterTableAddColumns from pylance 14 (lance-namespace 0.13), read and refreshed by LanceDB Python 0.40', () => {
  it(
    'declares the computed column as the next managed version; LanceDB Python fills it with refresh_column',
    async () => {
      const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
      const script = path.join(REPO_ROOT, 'peers', 'lance', 'add_columns_call.py');
      const res = await runAsync(python, [script, `${server.url}/lance/default`, writerToken, 'ac', 'from_python'], { timeoutMs: 5 * 60_000 });
      expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
      const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
      expect(result).toMatchObject({ created: 1, version: 2, type: 'int64', declared: [null, null, null], values: [2, 4, 6] });
      // The refresh committed through the namespace too: the catalog's versions go on to LanceDB's latest.
      const listed = await versions('from_python');
      expect(listed.slice(0, 2)).toEqual([1, 2]);
      expect(listed.at(-1)).toBe(result.latest);
    },
    15 * 60_000,
  );
});

describe('DescribeTable with load_detailed_metadata and a failing AlterTableAddColumns from pylance 14 (lance-namespace 0.13)', () => {
  it(
    "parses the stats and metadata of the latest version and of a tag's, as LanceDB's own listing says, and gets a 400 for a division by zero",
    async () => {
      const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
      const script = path.join(REPO_ROOT, 'peers', 'lance', 'describe_detailed_call.py');
      const res = await runAsync(python, [script, `${server.url}/lance/default`, writerToken, 'ac', 'detailed'], { timeoutMs: 5 * 60_000 });
      expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
      const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
      // Created (1), appended (2), deleted (3): two fragments, one row deleted; the tag names version 2.
      expect(result.latest).toMatchObject({ version: 3, stats: { num_deleted_rows: 1, num_fragments: 2 }, fields: ['id', 'd'] });
      // stats are the counts of LanceDB's own listing of the version; metadata the table metadata (none set).
      const counts = (m: Record<string, string>) => ({ num_deleted_rows: Number(m.total_deletion_file_rows), num_fragments: Number(m.total_fragments) });
      expect(result.latest.stats).toEqual(counts(result.lance_latest));
      expect(result.latest.metadata).toEqual({});
      expect(result.tag_version).toBe(2);
      expect(result.tagged).toMatchObject({ version: 2, stats: { num_deleted_rows: 0, num_fragments: 2 } });
      expect(result.tagged.stats).toEqual(counts(result.lance_tagged));
      expect(result.tagged.metadata).toEqual({});
      // The division by zero on the second row: the REST client's 400 (InvalidInput), nothing committed.
      expect(result.refused?.message).toMatch(/Divide by zero/);
      expect(result.refused?.message).not.toMatch(/\.rs:\d|cargo/);
      expect(result.version_after).toBe(3);
      expect(await versions('detailed')).toEqual([1, 2, 3]);
    },
    15 * 60_000,
  );
});
