/**
 * What every ObjectStorage adapter's read() promises (catalog/ports/index.ts), checked the same way on each
 * real store: an object of exactly the bound is read whole; one byte less refuses it with
 * ERR_PAYLOAD_TOO_LARGE (never a partial body), and the object is still there and readable afterwards.
 */
import { expect } from 'vitest';
import type { ObjectStorage } from '../../packages/server/src/catalog/ports/index.js';

export async function expectBoundedRead(storage: ObjectStorage, uri: string, content: Uint8Array): Promise<void> {
  expect(Buffer.from(await storage.read(uri, content.byteLength))).toEqual(Buffer.from(content));
  await expect(storage.read(uri, content.byteLength - 1)).rejects.toMatchObject({
    code: 'ERR_PAYLOAD_TOO_LARGE',
    message: `object ${uri} is larger than ${content.byteLength - 1} bytes`,
  });
  expect(Buffer.from(await storage.read(uri, content.byteLength + 1))).toEqual(Buffer.from(content));
}

/**
 * What every adapter's readRange() promises (catalog/object-storage.ts), on each real store: the bytes of a range in the
 * middle, one ending at the object's end, the whole object, and no bytes for a zero length (at the end too); a range
 * running past the end, starting past it, or a zero length past it is refused with ERR_UNPROCESSABLE (never fewer
 * bytes); a length above the bound with ERR_PAYLOAD_TOO_LARGE; a negative offset with ERR_VALIDATION; a missing
 * object with ERR_STORAGE. `content` is at least 8 bytes long.
 */
export async function expectRangedRead(storage: ObjectStorage, uri: string, content: Uint8Array, missing: string): Promise<void> {
  const n = content.byteLength;
  const range = async (offset: number, length: number, maxBytes = length) => Buffer.from(await storage.readRange(uri, offset, length, maxBytes));
  expect(await range(2, 3)).toEqual(Buffer.from(content.subarray(2, 5)));
  expect(await range(n - 4, 4, 1024)).toEqual(Buffer.from(content.subarray(n - 4)));
  expect(await range(0, n)).toEqual(Buffer.from(content));
  expect(await range(1, 0)).toEqual(Buffer.alloc(0));
  expect(await range(n, 0)).toEqual(Buffer.alloc(0));
  for (const [offset, length] of [
    [n - 2, 4],
    [n, 1],
    [n + 10, 1],
    [n + 1, 0],
  ] as const) {
    await expect(storage.readRange(uri, offset, length, 1024)).rejects.toMatchObject({
      code: 'ERR_UNPROCESSABLE',
      message: expect.stringContaining(`range ${offset}+${length} lies past the end of the`),
    });
  }
  await expect(storage.readRange(uri, 0, 4, 3)).rejects.toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE' });
  await expect(storage.readRange(uri, -1, 2, 2)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  await expect(storage.readRange(uri, 0, 1.5, 2)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  for (const length of [1, 0]) await expect(storage.readRange(missing, 0, length, 1)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  expect(Buffer.from(await storage.read(uri, n))).toEqual(Buffer.from(content));
}

/**
 * What every adapter's deleteMany() promises (catalog/ports/index.ts), on each real store: `count` objects under `dir` (past
 * S3's 1000 keys a request by default) and the same object named twice are deleted, in one call; a missing object is
 * reported missing (S3, whose DeleteObjects cannot tell, answers it deleted: `tellsMissing` false);
 * a URI outside the storage (`outside`: another bucket or container) and a directory-like one are failed with
 * ERR_VALIDATION and never sent; every URI is in exactly one list; a sibling directory whose name starts like `dir`
 * is untouched; nothing is left under `dir`.
 */
export async function expectBulkDelete(storage: ObjectStorage, dir: string, outside: string, count = 1005, tellsMissing = true): Promise<void> {
  const uris = Array.from({ length: count }, (_, i) => `${dir}/data/f-${String(i).padStart(5, '0')}.parquet`);
  const sibling = `${dir}0/keep.parquet`;
  for (let i = 0; i < uris.length; i += 32) await Promise.all(uris.slice(i, i + 32).map((u) => storage.writeNew(u, new TextEncoder().encode(u))));
  await storage.writeNew(sibling, new TextEncoder().encode('keep'));
  const missing = `${dir}/data/never-written.parquet`;
  const result = await storage.deleteMany([...uris, uris[0]!, missing, outside, `${dir}/data/`]);
  expect([...result.deleted].sort()).toEqual(tellsMissing ? uris : [...uris, missing].sort());
  expect(result.missing).toEqual(tellsMissing ? [missing] : []);
  expect(result.failed.map((f) => [f.uri, f.code]).sort()).toEqual(
    [
      [outside, 'ERR_VALIDATION'],
      [`${dir}/data/`, 'ERR_VALIDATION'],
    ].sort(),
  );
  for (const f of result.failed) expect(f.message).toContain(f.uri);
  for (const u of [uris[0]!, uris[Math.min(999, count - 1)]!, uris.at(-1)!]) expect(await storage.exists(u)).toBe(false);
  expect(await storage.exists(sibling)).toBe(true);
  if (storage.list) {
    const left: string[] = [];
    for await (const o of storage.list(dir)) left.push(o.uri);
    expect(left).toEqual([]);
  }
  await storage.delete(sibling);
}
