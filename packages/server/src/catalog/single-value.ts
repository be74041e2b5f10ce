/**
 * Iceberg's single-value binary serialization (spec Appendix D), the one encoder of the catalog: a column bound a
 * compacted file gets (maintenance/compaction/file-bounds.ts) and a manifest list's partition field summary
 * (manifests/partition-summary.ts) are both written here, so the bytes a planner decodes (planning/values.ts,
 * fromBinary) have one source. It sits at the bottom of catalog/ and imports nothing of it, so manifests/, planning/
 * and maintenance/ may all use it. Each type by its Iceberg name, a value in planning/values.ts's comparable form:
 *   boolean                         0x00 or 0x01
 *   int, date                       4 bytes little-endian (an integer in the int range)
 *   long, time, timestamp(tz)(_ns)  8 bytes little-endian (a bigint, or a safe integer number, in the long range)
 *   float, double                   4 and 8 bytes little-endian IEEE 754
 *   string                          UTF-8
 *   uuid                            its 16 bytes, big-endian (as given)
 *   fixed[L], binary                the bytes as they are (fixed: exactly L)
 *   decimal(P, S)                   the unscaled value (a bigint) as two's-complement big-endian, in the fewest bytes
 * A value not of its type's form, or a type not listed (nested types have no single value), gives undefined: a
 * caller writes no bound then. Truncating a bound (Iceberg's metrics mode truncate(N)) is the caller's.
 */

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const littleEndian = (size: number, write: (b: Buffer) => void): Uint8Array => {
  const b = Buffer.alloc(size);
  write(b);
  return new Uint8Array(b);
};

const isLongLike = (t: string) => t === 'long' || t === 'time' || /^timestamp(tz)?(_ns)?$/.test(t);

/** The minimal big-endian two's-complement bytes of an integer (what Java's BigInteger.toByteArray gives). */
export function toTwosComplement(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.unshift(Number(x & 0xffn));
    x >>= 8n;
    const sign = (out[0] as number) & 0x80;
    if ((x === 0n && !sign) || (x === -1n && sign)) break;
  }
  return new Uint8Array(out);
}

/** A value's single-value binary form for the primitive Iceberg type named `type`, or undefined (see above). */
export function singleValue(name: string, v: unknown): Uint8Array | undefined {
  const type = name.replace(/\s+/g, '');
  if (type === 'boolean') return typeof v === 'boolean' ? new Uint8Array([v ? 1 : 0]) : undefined;
  if (type === 'int' || type === 'date')
    return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? littleEndian(4, (b) => b.writeInt32LE(v)) : undefined;
  if (isLongLike(type)) {
    const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
    return n === undefined || n < LONG_MIN || n > LONG_MAX ? undefined : littleEndian(8, (b) => b.writeBigInt64LE(n));
  }
  if (type === 'float') return typeof v === 'number' ? littleEndian(4, (b) => b.writeFloatLE(v)) : undefined;
  if (type === 'double') return typeof v === 'number' ? littleEndian(8, (b) => b.writeDoubleLE(v)) : undefined;
  if (type === 'string') return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : undefined;
  if (type === 'uuid') return v instanceof Uint8Array && v.length === 16 ? v.slice() : undefined;
  if (type === 'binary') return v instanceof Uint8Array ? v.slice() : undefined;
  const fixed = /^fixed\[(\d+)\]$/.exec(type);
  if (fixed) return v instanceof Uint8Array && v.length === Number(fixed[1]) ? v.slice() : undefined;
  if (/^decimal\(\d+,\d+\)$/.test(type)) return typeof v === 'bigint' ? toTwosComplement(v) : undefined;
  return undefined;
}
