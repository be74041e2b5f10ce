/**
 * Row-filter policies on Lance tables of every Arrow type a Lance dataset holds, written by LanceDB Python (lancedb
 * 0.40, pylance 14; peers/lance/policy_types.py) through a real server process's namespace on a file warehouse, and
 * read back by LanceDB Python as a restricted reader (a policy-derived dataset) and as the admin (the table):
 *  - a null column, a list of nulls, half floats (alone, in a list, in a vector), 256-bit decimals, 32-bit times,
 *    64-bit dates, durations, zoned timestamps, unsigned 64-bit ints, large strings, fixed binary, maps and a list of
 *    dictionaries: the policy is taken, and the restricted reader reads the admitted rows with every value as stored
 *    and the same Arrow types (a dictionary decoded, as docs/authorization.md says). Before 2026-11-29 the null
 *    column and the list of nulls were taken and every restricted read was refused (400, "sorting a column of type
 *    Null is not supported yet");
 *  - a large list (64-bit offsets), as a column or inside a struct: the policy is refused, 400 naming the column,
 *    nothing stored (before 2026-11-29 the 400 did not name it);
 *  - a table whose policy was taken, then given a null column (carried) and then a large-list column: its restricted
 *    read fails closed, a 4xx naming the policy and the column, while the admin reads it whole (before 2026-11-29 the
 *    refusal named neither); the policy's GET and list say `unusable` with the refusal's words from then on, before
 *    any read (before 2026-11-29 the deriver's bare 400, naming no policy).
 * Lance itself refuses to hold unions, list views, run-end encoded arrays, month-day-nano intervals, fixed-size lists
 * of lists or strings, and a struct with a null field (LanceDB Python 0.40 fails creating them), so no policy meets one.
 *
 * A fixed-size list of structs of more than one element (as a column, a struct's field or a list's element) Lance
 * holds but cannot read back beside other columns, the admin's read too ("cannot read columns of differing lengths
 * together"): a policy on such a table is refused, 400 naming the column, nothing stored; a table given such a column
 * after its policy was taken shows the policy `unusable` in the words its restricted DescribeTable is refused with.
 * Before 2026-11-29 the policy was taken, shown `enforced`, and every restricted read refused while reading the rows.
 * One of a single element is carried: read through the policy as stored.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_ONLY } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const CARRIED = [
  'null',
  'list_null',
  'float16',
  'list_float16',
  'vector_float16',
  'decimal256',
  'time32',
  'date64',
  'duration',
  'timestamp_tz',
  'uint64',
  'large_string',
  'fixed_binary',
  'map',
  'list_dictionary',
  'fixed_list_struct_1',
];
const LARGE = ['large_list', 'struct_large_list'];
const FIXED_STRUCTS = ['fixed_list_struct', 'struct_fixed_list_struct', 'list_fixed_list_struct'];
const policies = (table: string) => `/management/v1/warehouses/default/namespaces/pt/tables/${table}/policies`;
const filter = { type: 'gt', term: 'id', value: 1 };
let server: ServerProcess;
let send: Send;
let analyst: CreatedPrincipal;
let role = '';
let python: string;

type Read = { rows?: Array<Record<string, unknown>>; types?: Record<string, string>; error?: string };
const py = async (scenario: string, token: string, ...args: string[]): Promise<Record<string, any>> => {
  const script = path.join(REPO_ROOT, 'peers', 'lance', 'policy_types.py');
  const res = await runAsync(python, [script, scenario, `${server.url}/lance/default`, token, 'pt', ...args], { timeoutMs: 5 * 60_000 });
  expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
};
const analystToken = () => clientToken(server.url, analyst.credential);
/** The restricted reader's DescribeTable (what LanceDB's openTable calls) of the `pt` namespace's table. */
async function describedAsAnalyst(table: string): Promise<{ status: number; body: { error: string; code: number } }> {
  const r = await fetch(`${server.url}/lance/default/v1/table/pt%24${table}/describe`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await analystToken()}` },
  });
  return { status: r.status, body: (await r.json()) as { error: string; code: number } };
}

beforeAll(async () => {
  python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
  server = await startServer();
  send = httpSender(server.url, await server.token());
  analyst = await createGrantedPrincipal(server, 'types-analyst', READ_ONLY, { type: 'warehouse', warehouse: 'default' });
  role = `${analyst.id}-role`;
  expect((await send('POST', '/lance/default/v1/namespace/pt/create', {})).status).toBe(200);
  expect(await py('create', await server.token(), ...CARRIED, ...LARGE, ...FIXED_STRUCTS, 'int32')).toEqual({});
}, 15 * 60_000);
afterAll(async () => server?.stop());

it(
  'takes a policy on a table of each type the derived dataset carries, and the restricted reader reads the admitted rows as stored',
  async () => {
    for (const kind of CARRIED) {
      const posted = await send('POST', policies(`t_${kind}`), { kind: 'row-filter', roles: [role], filter });
      expect(posted.status, `${kind}: ${JSON.stringify(posted.body)}`).toBe(201);
    }
    const tables = CARRIED.map((k) => `t_${k}`);
    const restricted = (await py('read', await analystToken(), ...tables)) as Record<string, Read>;
    const whole = (await py('read', await server.token(), ...tables)) as Record<string, Read>;
    for (const kind of CARRIED) {
      const [mine, all] = [restricted[`t_${kind}`]!, whole[`t_${kind}`]!];
      expect(all.rows, `${kind}: ${all.error}`).toHaveLength(3);
      expect(mine.rows, `${kind}: ${mine.error}`).toEqual(all.rows!.filter((r) => Number(r.id) > 1));
      const types = kind === 'list_dictionary' ? { ...all.types, c: 'list<item: string>' } : all.types;
      expect(mine.types, kind).toEqual(types);
    }
    expect(whole.t_null!.types).toEqual({ id: 'int64', c: 'null' });
  },
  10 * 60_000,
);

it(
  'refuses a policy on a table holding a large list, as a column or in a struct: 400 naming the column, nothing stored',
  async () => {
    for (const kind of LARGE) {
      const posted = await send('POST', policies(`t_${kind}`), { kind: 'row-filter', roles: [role], filter });
      expect(posted.status, JSON.stringify(posted.body)).toBe(400);
      expect(JSON.stringify(posted.body)).toMatch(/its column c holds a large list \(64-bit offsets\).*no row filter or column mask can be set on it/);
      const listed = await send('GET', policies(`t_${kind}`));
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toMatch(/row-filter/);
    }
  },
  5 * 60_000,
);

it(
  'fails a restricted read closed, naming the policy and the column, once a column the derived dataset cannot carry is added, and GET says so in its words',
  async () => {
    const posted = await send('POST', policies('t_int32'), { kind: 'row-filter', roles: [role], filter });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const policy = posted.body.id as string;
    // A null column added: carried, its values null.
    await py('add_column', await server.token(), 't_int32', 'nothing', 'null');
    const read = ((await py('read', await analystToken(), 't_int32')) as Record<string, Read>).t_int32!;
    expect(read.rows, read.error).toEqual([
      { id: 2, c: null, nothing: null },
      { id: 3, c: 3, nothing: null },
    ]);
    const shown = async () => (await send('GET', `${policies('t_int32')}/${policy}`)).body as { status: string; reason?: string };
    expect(await shown()).toMatchObject({ status: 'enforced' });
    // A large list added: GET says the policy is unusable before any read, and the restricted DescribeTable (what
    // LanceDB's openTable calls) is a 400 naming both, in the same words.
    await py('add_column', await server.token(), 't_int32', 'late', 'large_list');
    const got = await shown();
    const { status, body } = await describedAsAnalyst('t_int32');
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.code).toBe(13);
    expect(body.error).toContain(`The row/column policy ${policy} on this Lance table cannot be enforced`);
    expect(body.error).toMatch(/its column late holds a large list \(64-bit offsets\)/);
    expect(got).toEqual(expect.objectContaining({ status: 'unusable', reason: body.error }));
    const listed = await send('GET', policies('t_int32'));
    expect(listed.body.policies).toEqual([expect.objectContaining({ id: policy, status: 'unusable', reason: body.error })]);
    // The reader's LanceDB is told the same; the admin reads the table whole.
    expect(((await py('read', await analystToken(), 't_int32')) as Record<string, Read>).t_int32!.error).toContain(`policy ${policy}`);
    const whole = ((await py('read', await server.token(), 't_int32')) as Record<string, Read>).t_int32!;
    expect(whole.rows, whole.error).toHaveLength(3);
    expect(whole.types).toMatchObject({ nothing: 'null', late: 'large_list<item: string>' });
  },
  5 * 60_000,
);

it(
  'refuses a policy on a table holding a fixed-size list of structs Lance cannot read back: 400 naming the column, nothing stored',
  async () => {
    const tables = FIXED_STRUCTS.map((k) => `t_${k}`);
    // What Lance itself does with such a table: its rows are not read, by the admin either.
    const whole = (await py('read', await server.token(), ...tables)) as Record<string, Read>;
    for (const kind of FIXED_STRUCTS) {
      expect(whole[`t_${kind}`]!.error, kind).toMatch(/cannot read columns of differing lengths together/);
      const posted = await send('POST', policies(`t_${kind}`), { kind: 'column-mask', roles: [role], masks: [{ column: 'id', action: 'replace-with-null' }] });
      expect(posted.status, `${kind}: ${JSON.stringify(posted.body)}`).toBe(400);
      expect(posted.body.error.message, kind).toMatch(
        /^The Lance table's column c cannot be written into the policy-derived dataset .*a fixed-size list of 2 structs \(FixedSizeList\[2\]<Struct<\{x:Int32\}>>\).*no row filter or column mask can be set on this table$/,
      );
      const listed = await send('GET', policies(`t_${kind}`));
      expect(listed.status).toBe(200);
      expect(listed.body.policies, kind).toEqual([]);
    }
  },
  5 * 60_000,
);

it(
  'shows a policy unusable once a fixed-size list of structs is added, in the words its restricted DescribeTable is refused with',
  async () => {
    const table = 't_fixed_list_struct_1';
    const posted = await send('POST', policies(table), { kind: 'row-filter', roles: [role], filter });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const policy = posted.body.id as string;
    const shown = async () => (await send('GET', `${policies(table)}/${policy}`)).body as { status: string; reason?: string; filter?: unknown };
    expect(await shown()).toMatchObject({ status: 'enforced' });
    await py('add_column', await server.token(), table, 'late', 'fixed_list_struct');
    const got = await shown();
    const { status, body } = await describedAsAnalyst(table);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.code).toBe(13);
    expect(body.error).toContain(policy);
    expect(body.error).toMatch(/cannot be enforced: its column late cannot be written into a policy-derived dataset \(a fixed-size list of 2 structs/);
    // The same words, naming this policy (the read names every policy restricting the reader: test 1 set one too).
    const why = body.error.split('cannot be enforced: ')[1];
    expect(got).toEqual(
      expect.objectContaining({ status: 'unusable', reason: `The row/column policy ${policy} on this Lance table cannot be enforced: ${why}`, filter }),
    );
    const listed = await send('GET', policies(table));
    expect(listed.body.policies).toContainEqual(expect.objectContaining({ id: policy, status: 'unusable', reason: got.reason }));
    // The reader's LanceDB is told the same.
    const refusedRead = ((await py('read', await analystToken(), table)) as Record<string, Read>)[table]!;
    expect(refusedRead.error).toContain(policy);
    expect(refusedRead.error).toMatch(/its column late cannot be written into a policy-derived dataset \(a fixed-size list of 2 structs/);
  },
  5 * 60_000,
);
