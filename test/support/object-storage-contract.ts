/**
 * What every ObjectStorage adapter's read() promises (catalog/ports.ts), checked the same way on each
 * real store: an object of exactly the bound is read whole; one byte less refuses it with
 * ERR_PAYLOAD_TOO_LARGE (never a partial body), and the object is still there and readable afterwards.
 */
import { expect } from 'vitest';
import type { ObjectStorage } from '../../packages/server/src/catalog/ports.js';

export async function expectBoundedRead(storage: ObjectStorage, uri: string, content: Uint8Array): Promise<void> {
  expect(Buffer.from(await storage.read(uri, content.byteLength))).toEqual(Buffer.from(content));
  await expect(storage.read(uri, content.byteLength - 1)).rejects.toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE', message: `object ${uri} is larger than ${content.byteLength - 1} bytes` });
  expect(Buffer.from(await storage.read(uri, content.byteLength + 1))).toEqual(Buffer.from(content));
}
