import { describe, expect, it, vi } from 'vitest';
import { contentFile } from '../../../../../../test/support/content-files.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { loopPacer } from '../../loop-pacer.js';
import type { ManifestReader } from '../../manifests/manifest-reader.js';
import { encodeManifestOfRecords, encodeManifestOfRecordsPaced, entryEncoder } from '../../manifests/manifest-writer.js';
import { openAvro } from '../../manifests/read-avro.js';
import type { PartitionSpec, Schema } from '../../metadata/types.js';
import type { ContentFile, ManifestEntry, ManifestFile } from '../../ports/manifests.js';
import type { CatalogObjectRecord, ObjectStorage } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import { packPartition, packPartitionPaced } from './bin-pack.js';
import { compactTable, type CompactionDeps } from './compact.js';
import { mergedBounds, mergedBoundsPaced } from './merged-bounds.js';
import { commitReplace } from './replace-commit.js';

// A table of one snapshot whose one data manifest holds ENTRIES small Parquet files in 4 partitions, read from
// memory: what planning and the commit do between rewrite groups, on the request thread.
const ENTRIES = 2000;
const LOCATION = 'file:///warehouse/db/t';
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'region', required: false, type: 'string' },
  ],
};
const metadata = {
  'format-version': 2,
  'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
  location: LOCATION,
  'last-sequence-number': 1,
  'last-updated-ms': 1,
  'current-schema-id': 0,
  schemas: [schema],
  'default-spec-id': 0,
  'partition-specs': [{ 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] }],
  'current-snapshot-id': 1000,
  refs: { main: { 'snapshot-id': 1000, type: 'branch' } },
  snapshots: [
    { 'snapshot-id': 1000, 'sequence-number': 1, 'timestamp-ms': 1, 'manifest-list': `${LOCATION}/metadata/snap-1000.avro`, summary: { operation: 'append' } },
  ],
};
const record = { id: 't1', namespace: ['db'], name: 't', metadataJson: JSON.stringify(metadata) } as unknown as CatalogObjectRecord;
const manifest: ManifestFile = {
  path: `${LOCATION}/metadata/m-0.avro`,
  length: 1,
  partitionSpecId: 0,
  content: 0,
  sequenceNumber: 1,
  minSequenceNumber: 1,
  addedSnapshotId: 1000n,
  partitions: null,
};
const file = (i: number): ContentFile =>
  contentFile(`${LOCATION}/data/${i}.parquet`, { partition: [`region-${i % 4}`], recordCount: 10, fileSizeInBytes: 500 });

/** A non-negative Avro long (spec: zig-zag, then a variable-length integer). */
function avroLong(n: number): Buffer {
  const out: number[] = [];
  for (let v = n * 2; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      return Buffer.from(out);
    }
    out.push((v % 128) | 128);
  }
}

/**
 * The event loop's turns while a job runs: `turns()` counts the setImmediate callbacks run since `start()` (each one
 * re-arms), as a request arriving meanwhile would be answered in such a turn.
 */
function loopTurns() {
  let count = 0;
  let running = false;
  const tick = () => {
    if (!running) return;
    count += 1;
    setImmediate(tick);
  };
  return {
    start: () => {
      running = true;
      setImmediate(tick);
    },
    stop: () => (running = false),
    turns: () => count,
  };
}

/** A reader of the table above; `seen` records the loop's turns counted when the manifest's last entry was read. */
function reader(turns: () => number, seen: number[]): ManifestReader {
  return {
    readManifestList: async () => [manifest],
    readManifest: async function* (): AsyncGenerator<ManifestEntry> {
      for (let i = 0; i < ENTRIES; i += 1) yield { status: 1, snapshotId: 1000n, sequenceNumber: 1, fileSequenceNumber: 1, file: file(i) };
      seen.push(turns());
    },
  } as unknown as ManifestReader;
}

describe('compaction on the request thread', () => {
  it('plans a manifest of many entries between turns of the event loop, with the same plan', async () => {
    const loop = loopTurns();
    const seen: number[] = [];
    const deps = { reader: reader(loop.turns, seen), sliceMs: 0 } as unknown as CompactionDeps;
    loop.start();
    const planned = await compactTable(deps, record, { dryRun: true });
    loop.stop();
    expect(planned).toMatchObject({ outcome: 'dry-run', 'rewritten-data-files': ENTRIES, 'rewritten-bytes': ENTRIES * 500, groups: 4 });
    // Before the change the whole manifest was read in one stretch of microtasks: no turn until the plan was done.
    expect(seen[0]).toBeGreaterThan(0);
  });

  it('reads and encodes the rewritten manifest between turns of the event loop before writing it', async () => {
    const loop = loopTurns();
    const seen: number[] = [];
    const atFirstWrite: number[] = [];
    // The first write gives up (as a lost race would): the job is left with the turns taken while building the snapshot.
    const storage = {
      writeNew: async () => {
        atFirstWrite.push(loop.turns());
        throw new CatalogError('ERR_COMMIT_CONFLICT', 'test: stop here');
      },
      delete: async () => undefined,
    } as unknown as ObjectStorage;
    const ctx = {
      store: { repository: { getObject: async () => record } },
      newUuid: () => crypto.randomUUID(),
      clock: { now: () => 2 },
    } as unknown as TableContext;
    const rewritten = new Set(Array.from({ length: ENTRIES }, (_, i) => file(i).filePath));
    loop.start();
    const outcome = await commitReplace(ctx, storage, reader(loop.turns, seen), {
      warehouse: 'w',
      namespace: ['db'],
      name: 't',
      tableId: 't1',
      caller: {} as never,
      plannedSnapshotId: 1000n,
      rewritten,
      partitions: new Set(),
      added: [{ specId: 0, file: { ...file(ENTRIES), filePath: `${LOCATION}/data/new.parquet`, recordCount: ENTRIES * 10 } }],
      pace: loopPacer(0),
    });
    loop.stop();
    expect(outcome).toMatchObject({ outcome: 'conflict' });
    expect(atFirstWrite.length).toBeGreaterThan(0);
    // Before the change the manifest was read, and its entries encoded, in one stretch before the write.
    expect(seen[0]).toBeGreaterThan(0);
    expect(atFirstWrite[0]).toBeGreaterThan(seen[0]!);
  });

  it('frames a manifest of many blocks a block at a time: the same file as in one stretch', async () => {
    const encode = entryEncoder(metadata['partition-specs'][0] as PartitionSpec, schema as Schema, 2);
    const entries = Array.from({ length: ENTRIES }, (_, i) => {
      const e = { status: 0 as const, snapshotId: 1000n, sequenceNumber: 1, fileSequenceNumber: 1, file: file(i) };
      return { record: encode(e), status: e.status, recordCount: 10, partition: e.file.partition };
    });
    const m = { spec: metadata['partition-specs'][0] as PartitionSpec, schema: schema as Schema, content: 0 as const, formatVersion: 2 as const, entries };
    let paced = 0;
    const slow = encodeManifestOfRecords(m);
    const stepped = await encodeManifestOfRecordsPaced(m, () => {
      paced += 1;
      return undefined;
    });
    // 2,000 entries of about 100 bytes: several 64 KiB blocks, a step each.
    expect(paced).toBeGreaterThan(3);
    expect(stepped.counts).toEqual(slow.counts);
    expect(stepped.partitions).toEqual(slow.partitions);
    expect(stepped.bytes.length).toBe(slow.bytes.length);
    const records = async (bytes: Uint8Array) => {
      const out: unknown[] = [];
      for await (const r of (await openAvro('m.avro', bytes)).records) out.push(r);
      return out;
    };
    expect(await records(stepped.bytes)).toEqual(await records(slow.bytes));
  });

  it('copies the file a block a step, never the whole of it at once: the bytes of the framing it replaced', async () => {
    const encode = entryEncoder(metadata['partition-specs'][0] as PartitionSpec, schema as Schema, 2);
    const entries = Array.from({ length: ENTRIES }, (_, i) => {
      const e = { status: 0 as const, snapshotId: 1000n, sequenceNumber: 1, fileSequenceNumber: 1, file: file(i) };
      return { record: encode(e), status: e.status, recordCount: 10, partition: e.file.partition };
    });
    const m = { spec: metadata['partition-specs'][0] as PartitionSpec, schema: schema as Schema, content: 0 as const, formatVersion: 2 as const, entries };
    // The largest buffer built in one call while the file is framed (Buffer.concat, or a Uint8Array copied whole).
    let largest = 0;
    const original = Buffer.concat.bind(Buffer);
    const concat = vi.spyOn(Buffer, 'concat').mockImplementation((list, total) => {
      const result = original(list, total);
      largest = Math.max(largest, result.length);
      return result;
    });
    let stepped: Awaited<ReturnType<typeof encodeManifestOfRecordsPaced>>;
    try {
      stepped = await encodeManifestOfRecordsPaced(m, () => undefined);
    } finally {
      concat.mockRestore();
    }
    const bytes = Buffer.from(stepped.bytes.buffer, stepped.bytes.byteOffset, stepped.bytes.length);
    expect(bytes.length).toBeGreaterThan(2 * 65_536);
    // Before, the whole file was one Buffer.concat (and copied once more into a Uint8Array).
    expect(largest).toBeLessThanOrEqual(65_536 + 64);
    // The same bytes as the framing before this change, built here from the same records and the file's sync marker
    // (its last 16 bytes): the header, then for each block of at most 64 KiB its count, size, records and marker.
    const sync = bytes.subarray(bytes.length - 16);
    const blocks: Buffer[] = [];
    for (let i = 0; i < entries.length;) {
      let size = 0;
      let j = i;
      while (j < entries.length && (j === i || size + entries[j]!.record.length <= 65_536)) size += entries[j++]!.record.length;
      blocks.push(Buffer.concat([avroLong(j - i), avroLong(size), ...entries.slice(i, j).map((e) => e.record), sync]));
      i = j;
    }
    const framed = blocks.reduce((n, b) => n + b.length, 0);
    const head = bytes.subarray(0, bytes.length - framed);
    expect(head.subarray(0, 4).toString('latin1')).toBe('Obj\x01');
    expect(head.subarray(head.length - 16).equals(sync)).toBe(true);
    expect(bytes.equals(Buffer.concat([head, ...blocks]))).toBe(true);
  });

  it("summarizes a manifest's partitions a slice of entries at a time, beside its blocks", async () => {
    const encode = entryEncoder(metadata['partition-specs'][0] as PartitionSpec, schema as Schema, 2);
    const entries = Array.from({ length: ENTRIES }, (_, i) => {
      const e = { status: 0 as const, snapshotId: 1000n, sequenceNumber: 1, fileSequenceNumber: 1, file: file(i) };
      return { record: encode(e), status: e.status, recordCount: 10, partition: e.file.partition };
    });
    const m = { spec: metadata['partition-specs'][0] as PartitionSpec, schema: schema as Schema, content: 0 as const, formatVersion: 2 as const, entries };
    // The blocks of at most 64 KiB the framing cuts (a record alone when larger).
    let blocks = 0;
    for (let i = 0; i < entries.length; blocks += 1) {
      let size = 0;
      let j = i;
      while (j < entries.length && (j === i || size + entries[j]!.record.length <= 65_536)) size += entries[j++]!.record.length;
      i = j;
    }
    let paced = 0;
    const stepped = await encodeManifestOfRecordsPaced(m, () => {
      paced += 1;
      return undefined;
    });
    expect(stepped.partitions).toEqual(encodeManifestOfRecords(m).partitions);
    // Before, the counts and the summaries of every entry were one step after the blocks (two steps in all).
    expect(paced - blocks).toBeGreaterThan(ENTRIES / 1000);
  });

  it("packs a partition of many small files, and merges a group's bounds, a slice at a time: the same groups and bounds", async () => {
    const files = Array.from({ length: ENTRIES }, (_, i) => ({ path: String(i), specId: 0, partition: ['a'], bytes: 40 + (i % 7) }));
    const settings = { targetBytes: 100, groupBytes: 200, minFileBytes: 75, minInputFiles: 5 };
    let paced = 0;
    const pace = () => {
      paced += 1;
      return undefined;
    };
    const groups = await packPartitionPaced(files, settings, pace);
    expect(groups).toEqual(packPartition(files, settings));
    expect(groups.length).toBeGreaterThan(400);
    // Before, a partition was sorted and packed in one stretch.
    expect(paced).toBeGreaterThan(ENTRIES / 1000);
    paced = 0;
    const inputs = Array.from({ length: ENTRIES }, (_, i) =>
      contentFile(String(i), { lowerBounds: new Map([[1, long(-i)]]), upperBounds: new Map([[1, long(i)]]) }),
    );
    const merged = await mergedBoundsPaced(inputs, schema as Schema, pace);
    expect(merged).toEqual(mergedBounds(inputs, schema as Schema));
    expect(merged.lower.get(1)).toEqual(long(-(ENTRIES - 1)));
    expect(paced).toBeGreaterThan(ENTRIES / 1000);
  });
});

/** A long bound: Iceberg's single-value form, 8 bytes little-endian. */
function long(v: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return new Uint8Array(b);
}
