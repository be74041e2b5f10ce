/**
 * Deletion vectors (Iceberg v3: a Puffin `deletion-vector-v1` blob, format/puffin-spec.md) read as the set of deleted
 * row positions of one data file. The blob is: the length of magic + bitmap (4 bytes, big-endian), the magic
 * `D1 D3 39 64`, the bitmap in Roaring's portable 64-bit layout (an 8-byte little-endian count of 32-bit bitmaps, then
 * for each its 4-byte little-endian key, the high 32 bits of the positions, and a 32-bit Roaring bitmap in the
 * portable serialization), then a CRC-32 of magic + bitmap (4 bytes, big-endian).
 *
 * The framing, keys and CRC are read here (a few lines, no library covers the 64-bit wrapper); each 32-bit bitmap is
 * decoded by roaring-wasm (CRoaring compiled to WebAssembly, maintained by the roaring-node author; no native build,
 * so it installs from npm alone on every supported Node) with its bounds-checked portable reader, and copied out as a
 * sorted Uint32Array (4 bytes per deleted row, nothing left in WebAssembly memory). Everything is checked: the length,
 * the magic, the CRC, keys ascending, every byte consumed, and the cardinality against the manifest's record count. A
 * DV that fails any check is an error (ERR_UNPROCESSABLE), never a partly applied one: a wrong DV would show deleted rows.
 */
import { crc32 } from 'node:zlib';
import { RoaringBitmap32, roaringLibraryInitialize } from 'roaring-wasm';
import { CatalogError } from '../errors/catalog-error.js';

const MAGIC = [0xd1, 0xd3, 0x39, 0x64] as const;
const TWO_32 = 2 ** 32;

/** The deleted positions of one data file. */
export interface PositionSet {
  has(position: number): boolean;
  readonly size: number;
}

/** Positions held as one sorted Uint32Array per high-32-bit key: a binary search per lookup. */
class DeletionVector implements PositionSet {
  constructor(
    private readonly byKey: ReadonlyMap<number, Uint32Array>,
    readonly size: number,
  ) {}

  has(position: number): boolean {
    const low = position % TWO_32;
    const values = this.byKey.get((position - low) / TWO_32);
    if (values === undefined) return false;
    let lo = 0;
    let hi = values.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = values[mid]!;
      if (v === low) return true;
      if (v < low) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

let initialized: Promise<void> | undefined;

const corrupt = (where: string, why: string) => new CatalogError('ERR_UNPROCESSABLE', `deletion vector ${where} is not valid: ${why}`);

/**
 * Decodes a deletion-vector-v1 blob (the bytes at the manifest entry's content-offset, content-size-in-bytes long).
 * `where` names it in errors; `cardinality` (the manifest entry's record_count), when given, must match.
 */
export async function decodeDeletionVector(blob: Uint8Array, where: string, cardinality?: number): Promise<PositionSet> {
  await (initialized ??= roaringLibraryInitialize());
  if (blob.byteLength < 20) throw corrupt(where, `${blob.byteLength} bytes is shorter than an empty vector`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const length = view.getUint32(0, false);
  if (length + 8 !== blob.byteLength) throw corrupt(where, `its length field says ${length} bytes of magic and bitmap, the blob holds ${blob.byteLength - 8}`);
  if (MAGIC.some((b, i) => blob[4 + i] !== b)) throw corrupt(where, 'wrong magic bytes');
  const body = blob.subarray(4, 4 + length);
  const crc = view.getUint32(4 + length, false);
  if (crc32(body) !== crc) throw corrupt(where, 'CRC-32 mismatch');
  const count = view.getBigUint64(8, true);
  if (count > BigInt(length)) throw corrupt(where, `it claims ${count} bitmaps`);
  const byKey = new Map<number, Uint32Array>();
  let at = 16;
  const end = 4 + length;
  let previous = -1;
  let size = 0;
  for (let i = 0; i < Number(count); i++) {
    if (at + 4 > end) throw corrupt(where, 'truncated');
    const key = view.getUint32(at, true);
    if (key <= previous) throw corrupt(where, 'bitmap keys are not ascending');
    previous = key;
    at += 4;
    let bitmap: RoaringBitmap32;
    try {
      bitmap = RoaringBitmap32.deserialize('portable', blob.subarray(at, end));
    } catch {
      throw corrupt(where, `bitmap ${i} cannot be read`);
    }
    try {
      at += bitmap.getSerializationSizeInBytes('portable');
      const values = bitmap.toUint32Array();
      size += values.length;
      if (values.length > 0) byKey.set(key, values);
    } finally {
      bitmap.dispose();
    }
    if (at > end) throw corrupt(where, 'truncated');
  }
  if (at !== end) throw corrupt(where, `${end - at} bytes left after the bitmaps`);
  if (cardinality !== undefined && cardinality !== size) throw corrupt(where, `it holds ${size} positions, its manifest entry says ${cardinality}`);
  return new DeletionVector(byKey, size);
}
