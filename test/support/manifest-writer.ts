/**
 * Writes Iceberg v2 manifest lists and manifests (Avro object container files, through avsc's encoder, with the
 * spec's field names) for in-process planning tests that need exact control of files, bounds, deletes and
 * corruption. Real-writer files (PyIceberg) are read in test/interop/manifest-reader-pyiceberg.test.ts and
 * test/interop/planning-pyiceberg.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

/** Longs as bigint (snapshot ids use 63 bits), as the server's reader decodes them (catalog/manifests/read-avro.ts). */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const opt = (type: unknown) => ['null', type];
const kv = (name: string, value: string) => opt({ type: 'array', items: { type: 'record', name, fields: [{ name: 'key', type: 'int' }, { name: 'value', type: value }] } });

export interface TestFile {
  path: string;
  content?: 0 | 1 | 2;
  /** Partition values in spec order (strings for identity(string)). */
  partition: Array<string | null>;
  records: number;
  /** [field id, lower, upper] as longs. */
  longBounds?: Array<[number, number, number]>;
  referencedDataFile?: string;
  equalityIds?: number[];
}

export interface TestEntry {
  status: 0 | 1 | 2;
  snapshotId: bigint;
  sequenceNumber: number | null;
  file: TestFile;
}

const long8 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
};

async function writeAvro(uri: string, schema: object, records: unknown[], meta: Record<string, string>): Promise<number> {
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false, registry: { long: LONG } } as never);
  const encoder = new avro.streams.BlockEncoder(type, { metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)])) } as never);
  const chunks: Buffer[] = [];
  encoder.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    encoder.on('end', () => resolve());
    encoder.on('error', reject);
  });
  for (const r of records) encoder.write(r);
  encoder.end();
  await done;
  const bytes = Buffer.concat(chunks);
  writeFileSync(fileURLToPath(uri), bytes);
  return bytes.length;
}

/** A v2 manifest of one partition spec whose fields are all identity(string), named `partitionFields`. */
export async function writeManifest(uri: string, partitionFields: string[], entries: TestEntry[], content: 0 | 1 = 0): Promise<number> {
  const partition = { type: 'record', name: 'r102', fields: partitionFields.map((name, i) => ({ name, type: opt('string'), 'field-id': 1000 + i })) };
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      { name: 'content', type: 'int' },
      { name: 'file_path', type: 'string' },
      { name: 'file_format', type: 'string' },
      { name: 'partition', type: partition },
      { name: 'record_count', type: 'long' },
      { name: 'file_size_in_bytes', type: 'long' },
      { name: 'value_counts', type: kv('k119_v120', 'long'), default: null },
      { name: 'null_value_counts', type: kv('k121_v122', 'long'), default: null },
      { name: 'lower_bounds', type: kv('k126_v127', 'bytes'), default: null },
      { name: 'upper_bounds', type: kv('k129_v130', 'bytes'), default: null },
      { name: 'equality_ids', type: opt({ type: 'array', items: 'int' }), default: null },
      { name: 'referenced_data_file', type: opt('string'), default: null },
    ],
  };
  const schema = {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int' },
      { name: 'snapshot_id', type: opt('long'), default: null },
      { name: 'sequence_number', type: opt('long'), default: null },
      { name: 'file_sequence_number', type: opt('long'), default: null },
      { name: 'data_file', type: dataFile },
    ],
  };
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
    file_sequence_number: e.sequenceNumber === null ? null : BigInt(e.sequenceNumber),
    data_file: {
      content: e.file.content ?? 0,
      file_path: e.file.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(partitionFields.map((name, i) => [name, e.file.partition[i] ?? null])),
      record_count: BigInt(e.file.records),
      file_size_in_bytes: 1000n,
      value_counts: e.file.longBounds ? e.file.longBounds.map(([id]) => ({ key: id, value: BigInt(e.file.records) })) : null,
      null_value_counts: e.file.longBounds ? e.file.longBounds.map(([id]) => ({ key: id, value: 0n })) : null,
      lower_bounds: e.file.longBounds ? e.file.longBounds.map(([id, lo]) => ({ key: id, value: long8(lo) })) : null,
      upper_bounds: e.file.longBounds ? e.file.longBounds.map(([id, , hi]) => ({ key: id, value: long8(hi) })) : null,
      equality_ids: e.file.equalityIds ?? null,
      referenced_data_file: e.file.referencedDataFile ?? null,
    },
  }));
  return writeAvro(uri, schema, records, { 'format-version': '2', 'partition-spec-id': '0', content: content === 0 ? 'data' : 'deletes' });
}

export interface TestManifest {
  path: string;
  length: number;
  content: 0 | 1;
  sequenceNumber: number;
  addedSnapshotId: bigint;
}

export async function writeManifestList(uri: string, manifests: TestManifest[]): Promise<void> {
  const schema = {
    type: 'record',
    name: 'manifest_file',
    fields: [
      { name: 'manifest_path', type: 'string' },
      { name: 'manifest_length', type: 'long' },
      { name: 'partition_spec_id', type: 'int' },
      { name: 'content', type: 'int' },
      { name: 'sequence_number', type: 'long' },
      { name: 'min_sequence_number', type: 'long' },
      { name: 'added_snapshot_id', type: 'long' },
    ],
  };
  await writeAvro(
    uri,
    schema,
    manifests.map((m) => ({ manifest_path: m.path, manifest_length: BigInt(m.length), partition_spec_id: 0, content: m.content, sequence_number: BigInt(m.sequenceNumber), min_sequence_number: BigInt(m.sequenceNumber), added_snapshot_id: m.addedSnapshotId })),
    { 'format-version': '2' },
  );
}
