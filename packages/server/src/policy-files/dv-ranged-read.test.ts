/**
 * A deletion vector is read from its Puffin file as the blob's byte range alone (issue 53): a Puffin file can hold the
 * vectors of thousands of data files, and each derivation used to read (or, on S3, download) the whole file.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Field, Int64, RecordBatch, Schema, Struct, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStorage } from '../storage/memory/memory-object-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { parquetRewriter } from './index.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';

const dvBlob = Buffer.from(
  (JSON.parse(readFileSync(new URL('../../test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<string, string>).sparse!,
  'hex',
);

/** A store (a stand-in for S3: every URI) that counts the bytes each object gave, through any of its reads. */
class CountingStorage extends MemoryObjectStorage {
  readonly bytesRead = new Map<string, number>();
  readonly calls: string[] = [];

  constructor() {
    super({ handlesAll: true });
  }

  private count(uri: string, bytes: Uint8Array): Uint8Array {
    this.bytesRead.set(uri, (this.bytesRead.get(uri) ?? 0) + bytes.byteLength);
    return bytes;
  }

  override async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    this.calls.push(`read ${uri}`);
    return this.count(uri, await super.read(uri, maxBytes));
  }

  override async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    this.calls.push(`readRange ${uri} ${offset} ${length}`);
    return this.count(uri, await super.readRange(uri, offset, length, maxBytes));
  }
}

describe('deletion vectors read by their byte range', () => {
  let dir: string;
  const PUFFIN = 's3://lake/t/data/deletes.puffin';
  const DATA = 's3://lake/t/data/b.parquet';
  // 20 000 vectors of other data files before this one's (about a megabyte), then its own, then a footer.
  const before = 20_000;
  const offset = 4 + before * dvBlob.length;
  const puffin = Buffer.concat([Buffer.from('PFA1'), ...Array.from({ length: before + 1 }, () => dvBlob), Buffer.from('PFA1')]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dv-range-test-'));
    const schema = new Schema([new Field('id', new Int64(), false, new Map([[FIELD_ID_KEY, '1']]))]);
    const ids = vectorFromArray(
      Array.from({ length: 10 }, (_, i) => BigInt(100 + i)),
      new Int64(),
    ).data[0]!;
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 10, nullCount: 0, children: [ids] }));
    await writeParquet(
      path.join(dir, 'b.parquet'),
      (async function* () {
        yield batch;
      })(),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads only the blob's bytes of a large Puffin file, once, and still applies and checks the vector", async () => {
    const storage = new CountingStorage();
    await storage.writeNew(DATA, await readFile(path.join(dir, 'b.parquet')));
    await storage.writeNew(PUFFIN, puffin);
    const dv = { uri: PUFFIN, content: 1 as const, format: 'puffin', referencedDataFile: DATA, contentOffset: offset, contentSizeInBytes: dvBlob.length };
    const out = await parquetRewriter(storage).rewrite({
      inputs: [{ uri: DATA, format: 'parquet', deletes: [{ ...dv, recordCount: 7 }] }],
      transforms: [],
      output: 's3://lake/t/_lakegate/policy/v/b.parquet',
      querySalt: new Uint8Array(32),
    });
    expect(puffin.byteLength).toBeGreaterThan(1_000_000);
    expect(storage.bytesRead.get(PUFFIN)).toBe(dvBlob.length);
    expect(storage.calls.filter((c) => c.includes(PUFFIN))).toEqual([`readRange ${PUFFIN} ${offset} ${dvBlob.length}`]);
    // The sparse vector deletes positions 0, 1, 2 and 5 here (its others lie past this file's 10 rows).
    const written = path.join(dir, 'out.parquet');
    await writeFile(written, await storage.read('s3://lake/t/_lakegate/policy/v/b.parquet', 1 << 20));
    const rows: number[] = [];
    for await (const b of readRowGroups(await localBlob(written))) rows.push(...b.toArray().map((r) => Number(r.toJSON().id)));
    expect(rows).toEqual([103, 104, 106, 107, 108, 109]);
    expect(out.recordCount).toBe(6);

    // Every check of the blob still holds on the range read: the cardinality, the framing, and the range itself.
    for (const [bad, message] of [
      [{ ...dv, recordCount: 8 }, /7 positions.*says 8/],
      [{ ...dv, contentOffset: offset + 1 }, /not valid/],
      [{ ...dv, contentOffset: puffin.byteLength - 2 }, /deletes\.puffin.*past the end of the \d+-byte object/],
    ] as const) {
      await expect(
        parquetRewriter(storage).rewrite({
          inputs: [{ uri: DATA, format: 'parquet', deletes: [bad] }],
          transforms: [],
          output: 's3://lake/t/_lakegate/policy/v/refused.parquet',
          querySalt: new Uint8Array(32),
        }),
      ).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: expect.stringMatching(message) });
    }
    // Two more blobs read (the refused range reads nothing): never the file.
    expect(storage.bytesRead.get(PUFFIN)).toBe(3 * dvBlob.length);
  });
});
