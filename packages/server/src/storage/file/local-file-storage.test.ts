import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { atDispatch } from '../../runtime/end-of-turn.js';
import { expectBoundedRead, expectBulkDelete, expectRangedRead } from '../../../../../test/support/object-storage-contract.js';
import { LocalFileStorage } from './local-file-storage.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-local-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` as a request handed over in the next dispatch of requests runs (runtime/end-of-turn.ts). */
const inDispatch = <T>(fn: () => Promise<T>): Promise<T> => new Promise((resolve, reject) => atDispatch(() => void fn().then(resolve, reject)));
const afterIo = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('LocalFileStorage.exists', () => {
  it('answers a file deleted outside the catalog as missing from the next dispatch on, and at once outside dispatches', async () => {
    const storage = new LocalFileStorage();
    const file = path.join(dir, 'a.metadata.json');
    const uri = pathToFileURL(file).href;
    writeFileSync(file, '{}');
    expect(await inDispatch(async () => [await storage.exists(uri), await storage.exists(uri)])).toEqual([true, true]);
    await afterIo();
    rmSync(file);
    expect(await inDispatch(() => storage.exists(uri))).toBe(false);
    await afterIo();
    writeFileSync(file, '{}');
    expect(await storage.exists(uri)).toBe(true);
    rmSync(file);
    expect(await storage.exists(uri)).toBe(false);
  });

  it('answers a file this process deleted, or purged with its prefix, as missing to the requests after the deletion', async () => {
    const storage = new LocalFileStorage();
    const file = path.join(dir, 'b.metadata.json');
    const uri = pathToFileURL(file).href;
    writeFileSync(file, '{}');
    const seen = await inDispatch(async () => {
      const before = await storage.exists(uri);
      await storage.delete(uri);
      return [before, await storage.exists(uri)];
    });
    expect(seen).toEqual([true, false]);
    const prefixFile = path.join(dir, 't', 'metadata', 'c.metadata.json');
    const prefixUri = pathToFileURL(prefixFile).href;
    await storage.writeNew(prefixUri, new TextEncoder().encode('{}'));
    await afterIo();
    const purged = await inDispatch(async () => {
      const before = await storage.exists(prefixUri);
      const count = await storage.deletePrefix(pathToFileURL(path.join(dir, 't')).href);
      return [before, count, await storage.exists(prefixUri)];
    });
    expect(purged).toEqual([true, 1, false]);
  });
});

describe('LocalFileStorage.readRange', () => {
  it('reads a byte range alone (the object-store contract), and answers a directory as no such object', async () => {
    const storage = new LocalFileStorage();
    const file = path.join(dir, 'ranged', 'dv.puffin');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'PFA1 blobs PFA1');
    await expectRangedRead(storage, pathToFileURL(file).href, Buffer.from('PFA1 blobs PFA1'), pathToFileURL(path.join(dir, 'ranged', 'none.puffin')).href);
    await expect(storage.readRange(pathToFileURL(path.dirname(file)).href, 0, 1, 1)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });
});

describe('LocalFileStorage.read', () => {
  it('reads a file up to the bound, refuses a larger one from its size alone, and answers a directory or a missing file as no such object', async () => {
    const storage = new LocalFileStorage();
    const file = path.join(dir, 'sized.metadata.json');
    const uri = pathToFileURL(file).href;
    writeFileSync(file, 'x'.repeat(100));
    await expectBoundedRead(storage, uri, Buffer.from('x'.repeat(100)));
    // A sparse file: 8 GiB by its size, no blocks on disk. Refused before a byte is read (reading it would take 8 GiB).
    const sparse = path.join(dir, 'sparse.metadata.json');
    writeFileSync(sparse, '');
    truncateSync(sparse, 8 * 1024 ** 3);
    await expect(storage.read(pathToFileURL(sparse).href, 1024 ** 2)).rejects.toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE' });
    writeFileSync(file, '');
    expect((await storage.read(uri, 0)).byteLength).toBe(0);
    await expect(storage.read(pathToFileURL(dir).href, 100)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
    await expect(storage.read(pathToFileURL(path.join(dir, 'missing')).href, 100)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });
});

describe('LocalFileStorage.list and delete', () => {
  it('lists every file under a prefix, nested, with sizes and mtimes, past one stat batch; nothing for a missing prefix', async () => {
    const storage = new LocalFileStorage();
    const root = path.join(dir, 'listed');
    const expected: Array<{ uri: string; bytes: number }> = [];
    for (let i = 0; i < 70; i++) {
      const sub = path.join(root, i % 2 === 0 ? 'data' : 'metadata', i % 7 === 0 ? 'deep' : '');
      mkdirSync(sub, { recursive: true });
      writeFileSync(path.join(sub, `f${i}.bin`), 'x'.repeat(i));
      expected.push({ uri: `${pathToFileURL(root).href}/${path.relative(root, path.join(sub, `f${i}.bin`))}`, bytes: i });
    }
    const old = new Date(Date.now() - 86_400_000);
    utimesSync(path.join(root, 'data', 'f2.bin'), old, old);
    const listed = [];
    for await (const o of storage.list(`${pathToFileURL(root).href}/`)) listed.push(o);
    expect(listed.map(({ uri, bytes }) => ({ uri, bytes })).sort((a, b) => a.uri.localeCompare(b.uri))).toEqual(
      expected.sort((a, b) => a.uri.localeCompare(b.uri)),
    );
    expect(listed.find((o) => o.uri.endsWith('/data/f2.bin'))!.lastModifiedMs).toBeLessThan(Date.now() - 86_000_000);
    const missing = [];
    for await (const o of storage.list(pathToFileURL(path.join(dir, 'no-such-dir')).href)) missing.push(o);
    expect(missing).toEqual([]);
  });

  it('deleteMany: an unlink each, every URI answered, another scheme and a directory refused (the object-store contract)', async () => {
    await expectBulkDelete(new LocalFileStorage(), pathToFileURL(path.join(dir, 'bulk', 't1')).href, 's3://bucket/wh/t1/x.parquet');
  });

  it('deletes a file, and a missing one without an error', async () => {
    const storage = new LocalFileStorage();
    const file = path.join(dir, 'to-delete.bin');
    writeFileSync(file, 'x');
    await storage.delete(pathToFileURL(file).href);
    expect(existsSync(file)).toBe(false);
    await expect(storage.delete(pathToFileURL(file).href)).resolves.toBe(false);
  });
});

describe("LocalFileStorage keeps Hadoop's checksum sidecars with their files (issue 52)", () => {
  it('hides `.name.crc` while `name` is there, lists one whose file is gone, and deletes it with its file', async () => {
    const storage = new LocalFileStorage();
    const root = path.join(dir, 'crc', 'region=%C3%A9');
    mkdirSync(root, { recursive: true });
    for (const name of ['f.parquet', '.f.parquet.crc', 'g.parquet', '.gone.parquet.crc', '.crc']) writeFileSync(path.join(root, name), 'x');
    const base = pathToFileURL(path.join(dir, 'crc')).href;
    const names = async () => (await Array.fromAsync(storage.list(base))).map((o) => o.uri.slice(base.length + 1)).sort();
    // The sidecar of f.parquet is part of it; the one of a file that is gone, and a plain ".crc", are objects.
    expect(await names()).toEqual(['region=%C3%A9/.crc', 'region=%C3%A9/.gone.parquet.crc', 'region=%C3%A9/f.parquet', 'region=%C3%A9/g.parquet']);
    expect(await storage.delete(`${base}/region=%C3%A9/f.parquet`)).toBe(true);
    expect(existsSync(path.join(root, '.f.parquet.crc'))).toBe(false);
    // A file without a sidecar deletes as before; a sidecar deleted on its own is one file.
    expect(await storage.delete(`${base}/region=%C3%A9/g.parquet`)).toBe(true);
    expect(await storage.delete(`${base}/region=%C3%A9/.gone.parquet.crc`)).toBe(true);
    expect(await names()).toEqual(['region=%C3%A9/.crc']);
  });
});

describe('LocalFileStorage reads a location literally (issue 52)', () => {
  it('writes, reads, lists and deletes %XX as three characters of a name, as PyIceberg and Iceberg Java do', async () => {
    const storage = new LocalFileStorage();
    const base = `file://${dir}/literal/t%20%C3%A9-0a`;
    await storage.writeNew(`${base}/data/region=%C3%A9/f.parquet`, new Uint8Array([1]));
    expect(existsSync(path.join(dir, 'literal', 't%20%C3%A9-0a', 'data', 'region=%C3%A9', 'f.parquet'))).toBe(true);
    expect(existsSync(path.join(dir, 'literal', 't é-0a'))).toBe(false);
    const listed: string[] = [];
    for await (const o of storage.list(base)) listed.push(o.uri);
    expect(listed).toEqual([`${base}/data/region=%C3%A9/f.parquet`]);
    expect(await storage.delete(`${base}/data/region=%C3%A9/f.parquet`)).toBe(true);
    expect(await storage.delete(`${base}/data/region=%C3%A9/f.parquet`)).toBe(false);
    const result = await storage.deleteMany([`${base}/data/region=%C3%A9/f.parquet`]);
    expect(result).toEqual({ deleted: [], missing: [`${base}/data/region=%C3%A9/f.parquet`], failed: [] });
  });

  it('finds, deletes and purges the metadata files the catalog wrote before at the decoded path', async () => {
    const storage = new LocalFileStorage();
    const base = `file://${dir}/legacy/t%20%C3%A9-0b`;
    const legacyFile = path.join(dir, 'legacy', 't é-0b', 'metadata', '00000-a.metadata.json');
    mkdirSync(path.dirname(legacyFile), { recursive: true });
    writeFileSync(legacyFile, '{"old":1}');
    const uri = `${base}/metadata/00000-a.metadata.json`;
    expect(await storage.exists(uri)).toBe(true);
    expect(Buffer.from(await storage.read(uri, 100)).toString()).toBe('{"old":1}');
    // New files go to the literal path; both trees are one table's, and a purge removes both.
    await storage.writeNew(`${base}/metadata/00001-b.metadata.json`, new Uint8Array([2]));
    await storage.writeNew(`${base}/data/x.parquet`, new Uint8Array([3]));
    expect(await storage.deletePrefix(base)).toBe(3);
    expect(existsSync(path.join(dir, 'legacy', 't é-0b'))).toBe(false);
    expect(existsSync(path.join(dir, 'legacy', 't%20%C3%A9-0b'))).toBe(false);
    writeFileSync(path.join(dir, 'legacy', 'only-old'), 'x');
    mkdirSync(path.join(dir, 'legacy', 'a b'), { recursive: true });
    writeFileSync(path.join(dir, 'legacy', 'a b', 'm.json'), 'x');
    expect(await storage.delete(`file://${dir}/legacy/a%20b/m.json`)).toBe(true);
    expect(existsSync(path.join(dir, 'legacy', 'a b', 'm.json'))).toBe(false);
  });
});
