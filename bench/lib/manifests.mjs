/**
 * Iceberg v2 manifests and manifest lists for the planning benchmarks (bench/planning.mjs over HTTP,
 * bench/planning-java.mjs in-process), written with avsc, the library the server's manifest reader uses.
 * The Avro schemas are written out here because avsc knows no Iceberg: Iceberg's field names and record names
 * (r2, r102, k119_v120, ...), reduced to the fields a benchmark or test fills. Plain JavaScript on purpose: the
 * benchmarks run as plain Node and import no TypeScript, so the sharing goes this way: the test suite's writer
 * (test/support/manifest-writer.ts, files with exact bounds, deletes and corruption for planning tests) builds its
 * files from these types too.
 */
import avro from 'avsc';

const opt = (type) => ['null', type];
const intMap = (name, value) =>
  opt({
    type: 'array',
    items: {
      type: 'record',
      name,
      fields: [
        { name: 'key', type: 'int' },
        { name: 'value', type: value },
      ],
    },
  });

/** An avsc registry whose `long` reads and writes BigInt (Iceberg's ids and counts can pass 2^53). */
export function bigintLongs() {
  const long = avro.types.LongType.__with({
    fromBuffer: (buf) => buf.readBigInt64LE(),
    toBuffer: (n) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(BigInt(n));
      return buf;
    },
    fromJSON: (v) => BigInt(v),
    toJSON: (n) => Number(n),
    isValid: (n) => typeof n === 'bigint',
    compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
  });
  return { long };
}

/**
 * The manifest_entry type. partition: the fields of the partition record; full: also column_sizes,
 * nan_value_counts, split_offsets and sort_order_id (as Iceberg Java writes them); deletes: also equality_ids and
 * referenced_data_file (delete files); registry: e.g. bigintLongs(); v1: format version 1's entry (a required
 * snapshot_id, no sequence numbers, no content, the required block_size_in_bytes; no delete files).
 */
export function manifestEntryType({ partition = [], full = false, deletes = false, registry, v1 = false } = {}) {
  const fields = [
    ...(v1 ? [] : [{ name: 'content', type: 'int' }]),
    { name: 'file_path', type: 'string' },
    { name: 'file_format', type: 'string' },
    { name: 'partition', type: { type: 'record', name: 'r102', fields: partition } },
    { name: 'record_count', type: 'long' },
    { name: 'file_size_in_bytes', type: 'long' },
    ...(v1 ? [{ name: 'block_size_in_bytes', type: 'long' }] : []),
    ...(full ? [{ name: 'column_sizes', type: intMap('k117_v118', 'long') }] : []),
    { name: 'value_counts', type: intMap('k119_v120', 'long') },
    { name: 'null_value_counts', type: intMap('k121_v122', 'long') },
    ...(full ? [{ name: 'nan_value_counts', type: intMap('k138_v139', 'long') }] : []),
    { name: 'lower_bounds', type: intMap('k126_v127', 'bytes') },
    { name: 'upper_bounds', type: intMap('k129_v130', 'bytes') },
    ...(full
      ? [
          { name: 'split_offsets', type: opt({ type: 'array', items: 'long' }) },
          { name: 'sort_order_id', type: opt('int') },
        ]
      : []),
    ...(deletes && !v1
      ? [
          { name: 'equality_ids', type: opt({ type: 'array', items: 'int' }) },
          { name: 'referenced_data_file', type: opt('string') },
        ]
      : []),
  ];
  return avro.Type.forSchema(
    {
      type: 'record',
      name: 'manifest_entry',
      fields: v1
        ? [
            { name: 'status', type: 'int' },
            { name: 'snapshot_id', type: 'long' },
            { name: 'data_file', type: { type: 'record', name: 'r2', fields } },
          ]
        : [
            { name: 'status', type: 'int' },
            { name: 'snapshot_id', type: opt('long') },
            { name: 'sequence_number', type: opt('long') },
            { name: 'file_sequence_number', type: opt('long') },
            { name: 'data_file', type: { type: 'record', name: 'r2', fields } },
          ],
    },
    { wrapUnions: false, ...(registry ? { registry } : {}) },
  );
}

/**
 * The manifest_file type of a manifest list; partitions: with the partition field summaries; v1: without content and
 * sequence numbers; counts: with the file and row counts.
 */
export function manifestListType({ partitions = false, counts = false, registry, v1 = false } = {}) {
  const summary = {
    type: 'record',
    name: 'r508',
    fields: [
      { name: 'contains_null', type: 'boolean' },
      { name: 'contains_nan', type: opt('boolean') },
      { name: 'lower_bound', type: opt('bytes') },
      { name: 'upper_bound', type: opt('bytes') },
    ],
  };
  return avro.Type.forSchema(
    {
      type: 'record',
      name: 'manifest_file',
      fields: [
        { name: 'manifest_path', type: 'string' },
        { name: 'manifest_length', type: 'long' },
        { name: 'partition_spec_id', type: 'int' },
        ...(v1
          ? []
          : [
              { name: 'content', type: 'int' },
              { name: 'sequence_number', type: 'long' },
              { name: 'min_sequence_number', type: 'long' },
            ]),
        { name: 'added_snapshot_id', type: 'long' },
        ...(counts
          ? ['added_files_count', 'existing_files_count', 'deleted_files_count']
              .map((name) => ({ name, type: 'int' }))
              .concat(['added_rows_count', 'existing_rows_count', 'deleted_rows_count'].map((name) => ({ name, type: 'long' })))
          : []),
        ...(partitions ? [{ name: 'partitions', type: opt({ type: 'array', items: summary }) }] : []),
      ],
    },
    { wrapUnions: false, ...(registry ? { registry } : {}) },
  );
}

/** The bytes of one Avro object container file of `records` (options: avsc BlockEncoder's, e.g. codec, metadata). */
export function avroContainer(type, records, options = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const enc = new avro.streams.BlockEncoder(type, options);
    enc.on('data', (c) => chunks.push(c));
    enc.on('end', () => resolve(Buffer.concat(chunks)));
    enc.on('error', reject);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

/** Iceberg's single-value serialization of an int and a long (little-endian), as bounds hold them. */
export const i32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
export const i64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
