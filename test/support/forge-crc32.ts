/** Test helper: forging a CRC32, to prove a body bound only by its CRC32 is no binding at all (remote signing). */
import { crc32 } from 'node:zlib';

/** A body with the CRC32 `target`, made from `template` by toggling `delta` at some of `positions` (CRC32 is affine over GF(2)). */
export function forgeCrc32(template: Buffer, positions: number[], delta: number, target: number): Buffer {
  const zero = crc32(Buffer.alloc(template.length));
  const pivots = new Map<number, { v: number; mask: bigint }>();
  positions.forEach((p, i) => {
    const d = Buffer.alloc(template.length);
    d[p] = delta;
    let v = (crc32(d) ^ zero) >>> 0;
    let mask = 1n << BigInt(i);
    for (let bit = 31; bit >= 0; bit--) {
      if (!((v >>> bit) & 1)) continue;
      const pivot = pivots.get(bit);
      if (!pivot) return void pivots.set(bit, { v, mask });
      v = (v ^ pivot.v) >>> 0;
      mask ^= pivot.mask;
    }
  });
  let want = (target ^ crc32(template)) >>> 0;
  let mask = 0n;
  for (let bit = 31; bit >= 0; bit--) {
    if (!((want >>> bit) & 1)) continue;
    const pivot = pivots.get(bit);
    if (!pivot) throw new Error('no solution');
    want = (want ^ pivot.v) >>> 0;
    mask ^= pivot.mask;
  }
  const out = Buffer.from(template);
  positions.forEach((p, i) => {
    if ((mask >> BigInt(i)) & 1n) out[p]! ^= delta;
  });
  return out;
}
