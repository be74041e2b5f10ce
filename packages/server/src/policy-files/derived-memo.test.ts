/**
 * The warm path of a restricted plan (catalog/planning/restricted.ts): a data file's derived entry is reused from
 * the memo kept beside the manifest cache's entry, but only for the same policy version (prefix) and the same delete
 * files; a new delete file or a new version derives again, so no row a delete removed is ever served from the memo.
 * Real Parquet files on the local file storage and the real rewriter, counted. Two workers of one server derive a
 * file once between them (the cluster's lock, as `serve --workers N` wires it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { relayCluster } from '../../../../test/support/relay-cluster.js';
import { contentFile } from '../../../../test/support/content-files.js';
import type { Schema as TableSchema } from '../catalog/metadata/types.js';
import type { PlannedFile } from '../catalog/planning/plan-files.js';
import { type DeriveContext, type DerivedMemo, deriveTasks } from '../catalog/planning/restricted.js';
import type { DataFileRewriter } from '../catalog/planning/rewrite-ports.js';
import type { ContentFile } from '../catalog/ports/manifests.js';
import type { Policy } from '../catalog/ports/policies.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { parquetRewriter } from './index.js';
import { writeParquet } from './parquet-io.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-derived-memo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const location = pathToFileURL(path.join(dir, 'table')).href;
const schema: TableSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'region', type: 'string', required: false },
  ],
} as TableSchema;

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}
async function parquet(name: string, fields: Field[], columns: unknown[][]): Promise<string> {
  const uri = `${location}/data/${name}.parquet`;
  const s = new Schema(fields);
  const children = columns.map((values, i) => vectorFromArray(values, fields[i]!.type).data[0]!);
  mkdirSync(path.join(dir, 'table', 'data'), { recursive: true });
  await writeParquet(fileURLToPath(uri), one(new RecordBatch(s, makeData({ type: new Struct(s.fields), length: columns[0]!.length, nullCount: 0, children }))));
  return uri;
}
const idField = (name: string, type: Int64 | Utf8, id: number) => new Field(name, type, false, new Map([[FIELD_ID_KEY, String(id)]]));
const entry = (filePath: string, content: 0 | 1, recordCount: number): ContentFile => contentFile(filePath, { content, fileFormat: 'PARQUET', recordCount });
// The effective policy as the gate makes it: its row filter is its policies' (planning follows their field ids).
const regionEu = { type: 'eq', term: 'region', value: 'eu' };
const policy = (version: string) => ({
  policies: [{ id: 'p', kind: 'row-filter', filter: regionEu, fieldIds: [2], filterTerms: [{ term: 'region', fieldId: 2 }] } as Policy],
  rowFilter: regionEu,
  masks: [],
  policyVersion: version,
});

describe('the derived-entry memo of a restricted plan', () => {
  it('reuses a derived entry for the same version and deletes only; a new delete file or version derives again', async () => {
    const data = await parquet(
      'f0',
      [idField('id', new Int64(), 1), idField('region', new Utf8(), 2)],
      [
        [0n, 1n, 2n, 3n],
        ['eu', 'eu', 'us', 'eu'],
      ],
    );
    const deletes = await parquet('f0-deletes', [idField('file_path', new Utf8(), 2147483546), idField('pos', new Int64(), 2147483545)], [[data], [1n]]);
    const storage = new LocalFileStorage();
    const real = parquetRewriter(storage);
    let rewrites = 0;
    const rewriter: DataFileRewriter = { rewrite: (r) => (rewrites++, real.rewrite(r)) };
    const memo: DerivedMemo = new WeakMap();
    let n = 0;
    const ctx = (version: string): DeriveContext => ({
      storage,
      rewriter,
      tableLocation: location,
      policy: policy(version),
      schema,
      specs: new Map(),
      newUuid: () => `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`,
      memo,
    });
    const file = entry(data, 0, 4);
    const task = (withDeletes: boolean): PlannedFile => ({ file, specId: 0, dataSequenceNumber: 1, deletes: withDeletes ? [entry(deletes, 1, 1)] : [] });
    const plan = async (version: string, withDeletes: boolean) => {
      const [t] = await deriveTasks([task(withDeletes)], ctx(version));
      return t!.file;
    };

    const first = await plan('v1', false);
    expect([rewrites, first.recordCount]).toEqual([1, 3]);
    expect(await plan('v1', false)).toBe(first);
    expect(rewrites).toBe(1);
    // A delete file now applies to the same (cached) entry: derived again, the deleted row gone.
    const deleted = await plan('v1', true);
    expect([rewrites, deleted.recordCount]).toEqual([2, 2]);
    expect(deleted.filePath).not.toBe(first.filePath);
    expect(await plan('v1', true)).toBe(deleted);
    expect(rewrites).toBe(2);
    // A new policy version: a new prefix, derived again.
    const next = await plan('v2', true);
    expect(rewrites).toBe(3);
    expect(next.filePath.startsWith(`${location}/_lakegate/policy/v2/`)).toBe(true);
    // Callers of two policies on one table, in turns: each finds its own entry.
    expect(await plan('v1', true)).toBe(deleted);
    expect(await plan('v2', true)).toBe(next);
    expect(rewrites).toBe(3);
  });

  it('tells deletion vectors of one Puffin file apart by blob offset: a new DV for the data file derives again', async () => {
    const java = JSON.parse(readFileSync(new URL('../../test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<string, string>;
    const [empty, sparse] = [Buffer.from(java.empty!, 'hex'), Buffer.from(java.sparse!, 'hex')];
    const ids = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n];
    const data = await parquet('f1', [idField('id', new Int64(), 1), idField('region', new Utf8(), 2)], [ids, ids.map(() => 'eu')]);
    const puffin = `${location}/data/f1-deletes.puffin`;
    writeFileSync(fileURLToPath(puffin), Buffer.concat([Buffer.from('PFA1'), empty, sparse]));
    const storage = new LocalFileStorage();
    const real = parquetRewriter(storage);
    let rewrites = 0;
    const ctx: DeriveContext = {
      storage,
      rewriter: { rewrite: (r) => (rewrites++, real.rewrite(r)) },
      tableLocation: location,
      policy: policy('v1'),
      schema,
      specs: new Map(),
      newUuid: () => `00000000-0000-4000-8000-1${String(rewrites).padStart(11, '0')}`,
      memo: new WeakMap(),
    };
    const file = entry(data, 0, 8);
    // The empty DV at offset 4, then the one deleting positions 0, 1, 2 and 5 (and more past the file's end) after it.
    const dv = (offset: number, blob: Buffer, count: number): ContentFile => ({
      ...entry(puffin, 1, count),
      fileFormat: 'PUFFIN',
      referencedDataFile: data,
      contentOffset: offset,
      contentSizeInBytes: blob.length,
    });
    const plan = async (deletes: ContentFile[]) => (await deriveTasks([{ file, specId: 0, dataSequenceNumber: 1, deletes }], ctx))[0]!.file;
    expect((await plan([dv(4, empty, 0)])).recordCount).toBe(8);
    const replaced = await plan([dv(4 + empty.length, sparse, 7)]);
    expect([rewrites, replaced.recordCount]).toEqual([2, 4]);
    expect(await plan([dv(4 + empty.length, sparse, 7)])).toBe(replaced);
    expect(rewrites).toBe(2);
  });
  it('derives a file once when two workers of one server ask for it at the same moment', async () => {
    const data = await parquet(
      'f2',
      [idField('id', new Int64(), 1), idField('region', new Utf8(), 2)],
      [
        [0n, 1n, 2n],
        ['eu', 'us', 'eu'],
      ],
    );
    // Two workers joined by the primary's relay, their messages delivered asynchronously as over IPC.
    const { links } = relayCluster(2);
    const storage = new LocalFileStorage();
    const real = parquetRewriter(storage);
    let rewrites = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const firstEntered = new Promise<void>((r) => (entered = r));
    const rewriter: DataFileRewriter = {
      rewrite: async (r) => {
        rewrites++;
        entered();
        await gate;
        return real.rewrite(r);
      },
    };
    // Each worker has its own process state (memo, in-flight derivations); they share the storage and the relay.
    // The second one releases the first's rewrite once it waits for the lock, or (without it) once it found no file.
    let n = 0;
    const worker = (i: number): DeriveContext => ({
      storage:
        i === 0
          ? storage
          : Object.assign(Object.create(storage) as LocalFileStorage, {
              exists: async (uri: string) => {
                const found = await storage.exists(uri);
                if (!found) release();
                return found;
              },
            }),
      rewriter,
      tableLocation: location,
      policy: policy('v7'),
      schema,
      specs: new Map(),
      newUuid: () => `00000000-0000-4000-8000-2${String(n++).padStart(11, '0')}`,
      memo: new WeakMap(),
      inflight: new Map(),
      exclusive: (key, fn) => {
        if (i === 1) release();
        return links[i]!.runExclusive([key], fn);
      },
    });
    const task: PlannedFile = { file: entry(data, 0, 3), specId: 0, dataSequenceNumber: 1, deletes: [] };
    const first = deriveTasks([task], worker(0));
    await firstEntered;
    const [a, b] = await Promise.all([first, deriveTasks([task], worker(1))]);
    expect(rewrites).toBe(1);
    expect(b![0]!.file.filePath).toBe(a![0]!.file.filePath);
    expect(b![0]!.file.recordCount).toBe(2);
  });
});
