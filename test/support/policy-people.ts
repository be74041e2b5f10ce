/**
 * A table for policy tests (issue 53), in-process: `crm.people`, v2, partitioned by identity(region), with Parquet data
 * files, a position delete file and manifests written here, committed as a first snapshot; `append` commits one more
 * data file as a new snapshot. The source rows are kept, so a test compares what a plan's files hold with the rows
 * filtered and masked by the test itself. Two roles (`analysts`, `scorers`) may read the table. Also what the tests
 * of prepared policy-enforced files share: their policies, plan and metric helpers, and a rewriter held at its first file.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateDay, Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { DataFileRewriter } from '../../packages/server/src/catalog/planning/rewrite-ports.js';
import type { ObjectStorage } from '../../packages/server/src/catalog/ports/index.js';
import type { DerivedTrigger } from '../../packages/server/src/catalog/ports/planning.js';
import { parquetRewriter } from '../../packages/server/src/policy-files/index.js';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import { grant } from './access.js';
import { appendUpdates, peopleSchema, type Send } from './iceberg-http.js';
import { type InProcessOptions, startInProcess, type TestCatalog } from './in-process.js';
import { bearerSender } from './inject.js';
import { type TestManifest, writeManifest, writeManifestList } from './manifest-writer.js';
import { signInAdmin, tokenOf } from './principals.js';

export const TABLE = '/v1/default/namespaces/crm/tables/people';
export const POLICIES = '/management/v1/warehouses/default/namespaces/crm/tables/people/policies';
const people = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'people' };
const DAY = 86_400_000;

export interface Person {
  id: bigint;
  region: string;
  email: string | null;
  born: number;
}

const idField = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}
/** One Parquet file of `rows`, with the people schema's field ids; `optionalIds`: its id column nullable too (every column optional). */
export async function writeRows(uri: string, rows: Person[], { optionalIds = false } = {}): Promise<void> {
  const fields = [
    idField('id', new Int64(), 1, optionalIds),
    idField('region', new Utf8(), 2),
    idField('email', new Utf8(), 3),
    idField('born', new DateDay(), 4),
  ];
  const columns = [rows.map((r) => r.id), rows.map((r) => r.region), rows.map((r) => r.email), rows.map((r) => new Date(r.born))];
  const children = columns.map((values, i) => vectorFromArray(values as unknown[], fields[i]!.type).data[0]!);
  const s = new Schema(fields);
  await writeParquet(fileURLToPath(uri), one(new RecordBatch(s, makeData({ type: new Struct(s.fields), length: rows.length, nullCount: 0, children }))));
}
/** A position-delete file naming `positions` of `dataFile`. */
export async function writePositionDeletes(uri: string, dataFile: string, positions: number[]): Promise<void> {
  const fields = [idField('file_path', new Utf8(), 2147483546, false), idField('pos', new Int64(), 2147483545, false)];
  const children = [
    vectorFromArray(
      positions.map(() => dataFile),
      new Utf8(),
    ).data[0]!,
    vectorFromArray(positions.map(BigInt), new Int64()).data[0]!,
  ];
  const s = new Schema(fields);
  await writeParquet(fileURLToPath(uri), one(new RecordBatch(s, makeData({ type: new Struct(s.fields), length: positions.length, nullCount: 0, children }))));
}

/** The rows of every file a plan names (its tasks' data files, read as an engine would, deletes applied by nobody). */
export async function planRows(body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> }): Promise<Person[]> {
  const out: Person[] = [];
  for (const t of body['file-scan-tasks'] ?? []) {
    for await (const b of readRowGroups(await localBlob(fileURLToPath(t['data-file']['file-path']))))
      out.push(...(b.toArray().map((r) => r.toJSON()) as unknown as Person[]));
  }
  return out.sort((a, b) => Number(a.id - b.id));
}

/** The data file paths a plan names. */
export const planPaths = (body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> }): string[] =>
  (body['file-scan-tasks'] ?? []).map((t) => t['data-file']['file-path']).sort();

export const maskAlphanum = (s: string | null) => (s === null ? null : s.replace(/[A-Z]/g, 'X').replace(/[a-z]/g, 'x').replace(/[0-9]/g, 'n'));
export const toYear = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);

/** The analysts' row filter (region eu) and masks (email alphanumerics, birth date to its year), the scorers' row filter (id >= 9). */
export const EU = { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } };
export const MASKS = {
  kind: 'column-mask',
  roles: ['analysts'],
  masks: [
    { column: 'email', action: 'mask-alphanum' },
    { column: 'born', action: 'truncate-to-year' },
  ],
};
export const SCORES = { kind: 'row-filter', roles: ['scorers'], filter: { type: 'gt-eq', term: 'id', value: 9 } };
/** The rows as MASKS shows them. */
export const masked = (rows: Person[]) => rows.map((r) => ({ ...r, email: maskAlphanum(r.email), born: toYear(r.born) }));

/** A /metrics counter's value (0 before the first), `series` as exposed, e.g. `name{label="value"}`. */
export async function metric(t: Pick<PeopleTable, 'cat'>, series: string): Promise<number> {
  const text = (await t.cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  const escaped = series.replace(/[{}]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}
/** lakegate_policy_files_derived_total of that trigger. */
export const derivedBy = (t: Pick<PeopleTable, 'cat'>, trigger: DerivedTrigger) => metric(t, `lakegate_policy_files_derived_total{trigger="${trigger}"}`);

/** The caller's plan of the people table, expected 200. */
export async function plan(caller: Send, body: Record<string, unknown> = {}) {
  const r = await caller('POST', `${TABLE}/plan`, body);
  expect(r.status, stringifyJson(r.body)).toBe(200);
  return r.body;
}

/** The Parquet rewriter, held at its first rewrite until the test lets it go; the data files it was asked to rewrite, in order. */
export function heldRewriter() {
  let entered!: () => void;
  const reached = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const inputs: string[] = [];
  const rewriter = (storage: ObjectStorage): DataFileRewriter => {
    const real = parquetRewriter(storage);
    return {
      async rewrite(request) {
        inputs.push(...request.inputs.map((i) => i.uri.split('/').at(-1)!));
        entered();
        await released;
        return real.rewrite(request);
      },
    };
  };
  return { rewriter, reached, release: () => release(), inputs };
}

export interface PeopleTable {
  cat: TestCatalog;
  admin: Send;
  location: string;
  /** A new principal, member of each of `roles`, signed in. */
  member(...roles: string[]): Promise<Send>;
  /** Every source row still live (the position delete applied), in id order. */
  liveRows(): Person[];
  /** Commits one more data file of `rows` rows of `region` as a new snapshot. */
  append(name: string, region: string, rows: number): Promise<void>;
  /** Every policy-enforced Parquet file in the table's location (on the local file warehouse), sorted. */
  derivedFiles(): string[];
  /**
   * Closes the catalog and starts another on the same data dir (its SQLite database and files) with `env`: a restart.
   * Only for a table made with `options.dataDir` (the test's own directory, which a close leaves in place).
   */
  restart(env?: Record<string, string>, options?: InProcessOptions): Promise<void>;
}

/** The catalog, the table and its first snapshot (files eu-1, us-1, eu-2; eu-1 loses its row 1 to a position delete). */
export async function peopleTable(env: Record<string, string> = {}, options: InProcessOptions = {}): Promise<PeopleTable> {
  const cat = await startInProcess(env, { ...options, auth: true });
  const admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crm'] })).status).toBe(200);
  const created = await admin('POST', '/v1/default/namespaces/crm/tables', {
    name: 'people',
    schema: peopleSchema(['id', 'region', 'email', 'born']),
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location: string = created.body.metadata.location;
  const d = (name: string) => `${location}/data/${name}.parquet`;
  const m = (name: string) => `${location}/metadata/${name}.avro`;
  const files: Record<string, Person[]> = {};
  let next = 0;
  const person = (region: string): Person => {
    const id = BigInt(next++);
    return { id, region, email: id % 5n === 4n ? null : `User${id}@Mail${id % 3n}.com`, born: Date.UTC(1980, 0, 1) + Number(id) * 97 * DAY };
  };
  const entry = (name: string, sequenceNumber: number) => {
    const rows = files[name]!;
    return {
      status: 1 as const,
      snapshotId: BigInt(sequenceNumber),
      sequenceNumber,
      file: {
        path: d(name),
        partition: [rows[0]!.region],
        records: rows.length,
        longBounds: [[1, Number(rows[0]!.id), Number(rows.at(-1)!.id)] as [number, number, number]],
      },
    };
  };
  const manifests: TestManifest[] = [];
  // The admin of the catalog running now (restart() signs in the next one's).
  let current = admin;
  const commit = async (list: string) => {
    await writeManifestList(list, manifests);
    const c = appendUpdates((await current('GET', TABLE)).body.metadata, list);
    const r = await current('POST', TABLE, { requirements: c.requirements, updates: c.updates });
    expect(r.status, stringifyJson(r.body)).toBe(200);
  };
  files['eu-1'] = Array.from({ length: 6 }, () => person('eu'));
  files['us-1'] = Array.from({ length: 5 }, () => person('us'));
  files['eu-2'] = Array.from({ length: 4 }, () => person('eu'));
  mkdirSync(path.dirname(fileURLToPath(d('x'))), { recursive: true });
  for (const [name, rows] of Object.entries(files)) await writeRows(d(name), rows);
  await writePositionDeletes(d('eu-1-deletes'), d('eu-1'), [1]);
  manifests.push({
    path: m('data'),
    length: await writeManifest(
      m('data'),
      ['region'],
      ['eu-1', 'us-1', 'eu-2'].map((n) => entry(n, 1)),
    ),
    content: 0,
    sequenceNumber: 1,
    addedSnapshotId: 1n,
  });
  const deletes = {
    status: 1 as const,
    snapshotId: 1n,
    sequenceNumber: 1,
    file: { path: d('eu-1-deletes'), content: 1 as const, partition: ['eu'], records: 1, referencedDataFile: d('eu-1') },
  };
  manifests.push({
    path: m('deletes'),
    length: await writeManifest(m('deletes'), ['region'], [deletes], 1),
    content: 1,
    sequenceNumber: 1,
    addedSnapshotId: 1n,
  });
  await commit(`${location}/metadata/snap-1.avro`);
  await grant(admin, 'analysts', ['table:read-data'], people);
  await grant(admin, 'scorers', ['table:read-data'], people);
  const root = fileURLToPath(`${location}/_lakegate/policy`);
  const handle: PeopleTable = {
    cat,
    admin,
    location,
    async member(...roles) {
      const p = await handle.cat.lakegate.principals.create(`${roles.join('-')}-member-${next++}`);
      for (const role of roles)
        expect((await handle.admin('POST', `/management/v1/roles/${role}/members`, { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
      return bearerSender(handle.cat.lakegate.app, await tokenOf(handle.cat.lakegate.app, p.clientId, p.clientSecret));
    },
    async restart(env = {}, again = {}) {
      const dataDir = options.dataDir;
      if (dataDir === undefined) throw new Error('restart() needs a table made with options.dataDir');
      await handle.cat.close();
      handle.cat = await startInProcess(env, { ...again, auth: true, dataDir });
      handle.admin = current = await signInAdmin(handle.cat);
    },
    liveRows: () =>
      Object.entries(files)
        .flatMap(([name, rows]) => rows.filter((_, i) => !(name === 'eu-1' && i === 1)))
        .sort((a, b) => Number(a.id - b.id)),
    async append(name, region, rows) {
      const sequenceNumber = manifests.length;
      files[name] = Array.from({ length: rows }, () => person(region));
      await writeRows(d(name), files[name]);
      const manifest = m(`data-${name}`);
      manifests.push({
        path: manifest,
        length: await writeManifest(manifest, ['region'], [entry(name, sequenceNumber)]),
        content: 0,
        sequenceNumber,
        addedSnapshotId: BigInt(sequenceNumber),
      });
      await commit(`${location}/metadata/snap-${sequenceNumber}.avro`);
    },
    derivedFiles() {
      let versions: string[];
      try {
        versions = readdirSync(root);
      } catch {
        return [];
      }
      return versions
        .flatMap((v) => readdirSync(path.join(root, v)).map((f) => `${location}/_lakegate/policy/${v}/${f}`))
        .filter((f) => f.endsWith('.parquet'))
        .sort();
    },
  };
  return handle;
}
