import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeDeletionVector } from './deletion-vector.js';

// Blobs serialized by Iceberg Java 1.11 (test-fixtures/deletion-vectors/write.jsh says how), for the position sets below.
const java = JSON.parse(readFileSync(new URL('../../test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<string, string>;
const blob = (name: string) => new Uint8Array(Buffer.from(java[name]!, 'hex'));
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);
const expected: Record<string, number[]> = {
  sparse: [0, 1, 2, 5, 1000, 65535, 65536],
  dense: [...range(70_000, 140_000), ...range(200_000, 262_144, 2)],
  wide: [3, 2 ** 32 + 7, 2 ** 33 + 1, 2 ** 33 + 65536 * 3],
  empty: [],
};

/** A blob with its body (magic + bitmap) replaced, length and CRC made right again: only the bitmap is wrong. */
function reframed(body: Uint8Array): Uint8Array {
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return new Uint8Array(out);
}
const bodyOf = (b: Uint8Array) => b.subarray(4, b.length - 4);

describe('deletion vectors (Puffin deletion-vector-v1) written by Iceberg Java', () => {
  it.each(Object.keys(expected))('%s: exactly the positions Java wrote', async (name) => {
    const dv = await decodeDeletionVector(blob(name), name, expected[name]!.length);
    expect(dv.size).toBe(expected[name]!.length);
    const set = new Set(expected[name]);
    expect(expected[name]!.filter((p) => !dv.has(p))).toEqual([]);
    // Neighbours of every position, and the same low bits under other keys, are not deleted.
    const others = expected[name]!.flatMap((p) => [p - 1, p + 1, p + 2 ** 32, p - 2 ** 32]).filter((q) => q >= 0 && !set.has(q));
    expect(others.filter((q) => dv.has(q))).toEqual([]);
    if (name === 'dense') expect(range(0, 300_000).filter((p) => dv.has(p))).toEqual(expected.dense);
  });

  it('refuses a blob whose CRC, length or magic is wrong, or that holds another count than its manifest entry', async () => {
    const good = blob('sparse');
    const flipped = good.slice();
    flipped[20]! ^= 0x01; // a bit of the bitmap: the CRC no longer matches
    await expect(decodeDeletionVector(flipped, 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: expect.stringMatching(/CRC/) });
    const badCrc = good.slice();
    badCrc[badCrc.length - 1]! ^= 0xff;
    await expect(decodeDeletionVector(badCrc, 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: expect.stringMatching(/CRC/) });
    await expect(decodeDeletionVector(good.subarray(0, good.length - 1), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: /length/ });
    const badMagic = bodyOf(good).slice();
    badMagic[0] = 0;
    await expect(decodeDeletionVector(reframed(badMagic), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: /magic/ });
    await expect(decodeDeletionVector(good, 's3://b/dv.puffin@4', 8)).rejects.toMatchObject({
      code: 'ERR_UNPROCESSABLE',
      message: expect.stringMatching(/s3:\/\/b\/dv\.puffin@4.*7 positions.*says 8/),
    });
    await expect(decodeDeletionVector(new Uint8Array(3), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE' });
  });

  it('refuses a well-framed blob whose bitmap is malformed (right CRC): truncated, trailing bytes, keys out of order, a bad count', async () => {
    const body = bodyOf(blob('sparse'));
    // The 32-bit bitmap cut short.
    await expect(decodeDeletionVector(reframed(body.subarray(0, body.length - 3)), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE' });
    // A byte after the last bitmap.
    await expect(decodeDeletionVector(reframed(new Uint8Array([...body, 0])), 'x')).rejects.toMatchObject({
      code: 'ERR_UNPROCESSABLE',
      message: /left after/,
    });
    // Two bitmaps claimed, one present.
    const twice = body.slice();
    twice[4] = 2;
    await expect(decodeDeletionVector(reframed(twice), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: /truncated/ });
    // A huge count.
    const huge = body.slice();
    huge[11] = 0x7f;
    await expect(decodeDeletionVector(reframed(huge), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: /bitmaps/ });
    // A key repeated (wide's keys are 0, 1, 2: the second made 0 again).
    const wide = bodyOf(blob('wide')).slice();
    const view = new DataView(wide.buffer);
    // wide: the count at 4, key 0 at 12, then its bitmap of 18 bytes (cookie, container count, key and cardinality,
    // offset, one 2-byte value), then key 1.
    expect(view.getUint32(12, true)).toBe(0);
    const secondKey = 12 + 4 + 18;
    expect(view.getUint32(secondKey, true)).toBe(1);
    view.setUint32(secondKey, 0, true);
    await expect(decodeDeletionVector(reframed(wide), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: /ascending/ });
    // Garbage where the 32-bit bitmap should be.
    const garbage = body.slice();
    garbage.fill(0xff, 16);
    await expect(decodeDeletionVector(reframed(garbage), 'x')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE' });
  });
});
