/**
 * Records of an Avro object container file, one at a time, through avsc's block decoder (no hand-written
 * Avro). Bytes come whole from a bounded read; records are yielded as decoded, so a caller that filters
 * as it goes keeps only what it keeps. Corrupt or unsupported files (a codec avsc lacks) are a CatalogError.
 */
import { Readable } from 'node:stream';
import avro from 'avsc';
import { CatalogError } from '../../errors/catalog-error.js';
import { BoundedMap } from '../bounded-map.js';

export interface AvroFile {
  /** The file's metadata (Iceberg puts schema, partition-spec, format-version and content there). */
  meta: Map<string, string>;
  records: AsyncIterable<Record<string, unknown>>;
}

/**
 * Iceberg longs (snapshot ids) use all 64 bits; avsc's default long refuses values beyond 2^53, so longs
 * decode as bigint (avsc's documented way to swap the long representation). The manifest writer encodes with it too.
 */
export const LONG = avro.types.LongType.__with({
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

/**
 * Compiled readers by writer schema: avsc compiles each schema into generated code, which cost more than
 * decoding a 100-entry manifest; a table's manifests share a handful of schemas (one per spec and format).
 * Bounded: past 256 distinct schemas the oldest is dropped.
 */
const TYPES = new BoundedMap<string, avro.Type>({ maxEntries: 256, evict: 'oldest' });

function typeFor(schema: unknown): avro.Type {
  const key = JSON.stringify(schema);
  let type = TYPES.get(key);
  if (type === undefined) {
    type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false, registry: { long: LONG } });
    TYPES.set(key, type);
  }
  return type;
}

/**
 * The file goes to the decoder a slice at a time: avsc's BlockDecoder copies what it is given (twice) and cuts every
 * block out of it in one loop, so a 10^5-entry manifest handed over whole was one unbroken stretch of 45-60 ms on the
 * request thread (compaction's planning and commit read it). A slice's blocks are cut only once the previous slice's
 * records have been taken, so a paced reader gives the event loop its turns between slices too.
 */
const SLICE_BYTES = 256 * 1024;

function* slices(bytes: Uint8Array): Generator<Buffer> {
  for (let at = 0; at < bytes.byteLength; at += SLICE_BYTES)
    yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(SLICE_BYTES, bytes.byteLength - at));
}

export async function openAvro(uri: string, bytes: Uint8Array): Promise<AvroFile> {
  const decoder = new avro.streams.BlockDecoder({ parseHook: typeFor });
  const meta = new Promise<Map<string, string>>((resolve, reject) => {
    decoder.once('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) => {
      resolve(new Map(Object.entries(header.meta).map(([k, v]) => [k, v.toString('utf8')])));
    });
    decoder.once('error', (e: Error) => reject(e));
    // A file that ends before its header does (truncated, or no Avro at all) emits neither metadata nor error.
    decoder.once('finish', () => reject(new Error('truncated, or not an Avro object container file')));
  });
  Readable.from(slices(bytes)).pipe(decoder);
  const fail = (e: unknown) => new CatalogError('ERR_VALIDATION', `Cannot read manifest file ${uri}: ${e instanceof Error ? e.message : String(e)}`);
  let header: Map<string, string>;
  try {
    header = await meta;
  } catch (e) {
    throw fail(e);
  }
  async function* records(): AsyncGenerator<Record<string, unknown>> {
    try {
      for await (const r of decoder) yield r as Record<string, unknown>;
    } catch (e) {
      throw fail(e);
    }
  }
  return { meta: header, records: records() };
}
