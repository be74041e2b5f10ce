import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../errors/catalog-error.js';
import { MAX_METADATA_BYTES, readMetadataFile, writeMetadataFile } from './metadata-files.js';
import type { ObjectStorage } from './ports/index.js';

/** Objects in a map, with read()'s bound as the port states it. */
function memoryStorage(): ObjectStorage & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  return {
    objects,
    handles: () => true,
    async writeNew(uri, data) {
      if (objects.has(uri)) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
      objects.set(uri, data);
    },
    async read(uri, maxBytes) {
      const data = objects.get(uri);
      if (!data) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      if (data.byteLength > maxBytes) throw new CatalogError('ERR_PAYLOAD_TOO_LARGE', `object ${uri} is larger than ${maxBytes} bytes`);
      return data;
    },
    // Metadata files are read whole: a range read here would be a change in metadata-files.ts this test should see.
    readRange: async (uri) => {
      throw new Error(`unexpected range read of ${uri}`);
    },
    exists: async (uri) => objects.has(uri),
    existsIsCheap: () => true,
    delete: async (uri) => void objects.delete(uri),
    deleteMany: async (uris) => {
      for (const uri of uris) objects.delete(uri);
      return { deleted: [...uris], missing: [], failed: [] };
    },
    deletePrefix: async () => 0,
  };
}

const metadata = { 'format-version': 2, 'table-uuid': 'u', location: 'mem://t', properties: { k: 'v'.repeat(200) } };

describe('readMetadataFile', () => {
  it('reads back what writeMetadataFile wrote, plain or gzip', async () => {
    const storage = memoryStorage();
    for (const name of ['00001-a.metadata.json', '00001-a.gz.metadata.json']) {
      const json = await writeMetadataFile(storage, `mem://t/metadata/${name}`, metadata);
      expect(await readMetadataFile(storage, `mem://t/metadata/${name}`)).toEqual({ json, metadata });
    }
    expect(storage.objects.get('mem://t/metadata/00001-a.gz.metadata.json')!.byteLength).toBeLessThan(200);
  });

  it('refuses a file larger than the bound with 400 (ERR_VALIDATION), as stored or once inflated (a gzip bomb)', async () => {
    const storage = memoryStorage();
    const json = JSON.stringify(metadata);
    storage.objects.set('mem://t/metadata/plain.metadata.json', Buffer.from(json));
    // ~100 bytes of gzip that inflate to 100,000: the bound applies to what comes out, not what is stored.
    storage.objects.set('mem://t/metadata/bomb.gz.metadata.json', gzipSync(Buffer.from(`{"x":"${' '.repeat(100_000)}"}`)));
    await expect(readMetadataFile(storage, 'mem://t/metadata/plain.metadata.json', json.length - 1)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: `Metadata file mem://t/metadata/plain.metadata.json is larger than ${json.length - 1} bytes`,
    });
    expect((await readMetadataFile(storage, 'mem://t/metadata/plain.metadata.json', json.length)).metadata).toEqual(metadata);
    expect(storage.objects.get('mem://t/metadata/bomb.gz.metadata.json')!.byteLength).toBeLessThan(1000);
    await expect(readMetadataFile(storage, 'mem://t/metadata/bomb.gz.metadata.json', 50_000)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: 'Metadata file mem://t/metadata/bomb.gz.metadata.json is larger than 50000 bytes',
    });
    expect((await readMetadataFile(storage, 'mem://t/metadata/bomb.gz.metadata.json', 100_008)).metadata).toEqual({ x: ' '.repeat(100_000) });
  });

  it('tells a missing file, bad gzip and bad JSON apart, each a 400 naming the file', async () => {
    const storage = memoryStorage();
    storage.objects.set('mem://t/metadata/b.gz.metadata.json', Buffer.from('{}'));
    storage.objects.set('mem://t/metadata/c.metadata.json', Buffer.from('{'));
    await expect(readMetadataFile(storage, 'mem://t/metadata/a.metadata.json')).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(/a\.metadata\.json: it does not exist$/),
    });
    await expect(readMetadataFile(storage, 'mem://t/metadata/b.gz.metadata.json')).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(/b\.gz\.metadata\.json is not valid gzip$/),
    });
    await expect(readMetadataFile(storage, 'mem://t/metadata/c.metadata.json')).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(/c\.metadata\.json is not valid JSON/),
    });
  });

  it('bounds every read at 256 MiB unless told otherwise', () => {
    expect(MAX_METADATA_BYTES).toBe(256 * 1024 * 1024);
  });

  it('reads at most two files of unknown size at once, and lets the next in as soon as a read shows a small file', async () => {
    const storage = memoryStorage();
    await writeMetadataFile(storage, 'mem://t/metadata/1.metadata.json', metadata);
    const gates: Array<() => void> = [];
    let started = 0;
    const slow: ObjectStorage = {
      ...storage,
      read: async (uri, maxBytes) => {
        started++;
        await new Promise<void>((open) => gates.push(open));
        return storage.read(uri, maxBytes);
      },
    };
    const reads = [1, 2, 3].map(() => readMetadataFile(slow, 'mem://t/metadata/1.metadata.json'));
    await new Promise((resolve) => setImmediate(resolve));
    // Each read holds the 256 MiB bound until its size is known: two fit in the budget, the third waits.
    expect(started).toBe(2);
    gates.shift()!();
    await reads[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(3);
    for (const open of gates.splice(0)) open();
    for (const r of await Promise.all(reads)) expect(r.metadata).toEqual(metadata);
  });

  it('writeMetadataFile refuses metadata over the bound with 400, and writes nothing', async () => {
    const storage = memoryStorage();
    const json = await writeMetadataFile(storage, 'mem://t/metadata/1.metadata.json', metadata, 10_000);
    const error = await writeMetadataFile(storage, 'mem://t/metadata/2.metadata.json', metadata, json.length - 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).code).toBe('ERR_VALIDATION');
    expect((error as Error).message).toContain(`larger than ${json.length - 1} bytes; expire snapshots`);
    expect([...storage.objects.keys()]).toEqual(['mem://t/metadata/1.metadata.json']);
  });
});
