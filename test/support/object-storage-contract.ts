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
