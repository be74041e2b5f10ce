/**
 * Object storage on the local filesystem (file: URIs), each read literally (localPath: `%XX` is no escape but three
 * characters of the name, as PyIceberg and Iceberg Java read a location, docs/storage.md). Before issue 52 the
 * catalog decoded escapes but %25, %2F and %5C, so the metadata files of tables created then may lie at that other
 * path (legacyLocalPath): reads and deletes that find nothing at the literal path look there too, and a purge
 * removes both trees. Nothing is written there any more.
 * Hadoop's checksum sidecars: Iceberg Java's HadoopFileIO writes a `file:` location through Hadoop's LocalFileSystem,
 * a ChecksumFileSystem, which writes next to every file `name` a hidden `.name.crc`, hides it from listings and deletes
 * it with its file. This store does the same (CHECKSUM_SIDECAR), so an orphan scan does not take the checksums of live
 * files for orphans (Spark's table on a `file:` warehouse, issue 52: 39 "orphans" reported where 3 were planted) and
 * an expiry leaves no checksum of a file it deleted. A sidecar whose file is gone is listed: it is an orphan.
 * writeNew writes a temporary file, fsyncs it and hard-links it into place:
 * link() fails if the target exists, so two writers can never overwrite one
 * another's metadata file, and a crash leaves either no file or a whole one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CatalogError } from '../../errors/catalog-error.js';
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../../catalog/ports/index.js';
import { legacyLocalPath, localPath } from '../../catalog/locations.js';
import { currentBatch } from '../../runtime/end-of-turn.js';
import { readBounded } from '../bounded-read.js';
import { checkRange, rangePastEnd } from '../byte-range.js';
import { deleteEach } from '../delete-each.js';

/** Hadoop's ChecksumFileSystem sidecar of a file `name` in the same directory: `.name.crc` (see the header). */
const CHECKSUM_SIDECAR = /^\.(.+)\.crc$/;
const sidecarOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.crc`);

/** Files stat()ed at once while listing. */
const LIST_STAT_BATCH = 32;

export class LocalFileStorage implements ObjectStorage {
  /** Files found to exist during the current dispatch of requests (see exists()). */
  private readonly found = new Set<string>();
  private foundIn: object | undefined;

  handles(uri: string): boolean {
    return uri.startsWith('file:') || uri.startsWith('/');
  }

  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    const target = localPath(uri);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
      throw e;
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
    await syncDirectory(path.dirname(target));
  }

  /** The file at the literal path, else at the legacy one (see the header), with its size; ERR_STORAGE when neither is a file. */
  private async openFile(uri: string): Promise<{ handle: fs.FileHandle; size: number }> {
    for (const target of [localPath(uri), legacyLocalPath(uri)]) {
      if (target === undefined) continue;
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(target, 'r');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
        continue;
      }
      const stat = await handle.stat().catch(async (e: unknown) => {
        await handle.close();
        throw e;
      });
      if (stat.isFile()) return { handle, size: stat.size };
      await handle.close();
      break;
    }
    throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
  }

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    const { handle, size } = await this.openFile(uri);
    try {
      // Chunks of the file's own size (+1 to see its end), not the stream's default 64 KiB: table maintenance reads
      // tens of thousands of small manifests, and a 64 KiB buffer for each was most of its garbage.
      const highWaterMark = Math.min(64 * 1024, Math.max(1024, size + 1));
      return await readBounded(handle.createReadStream({ autoClose: false, highWaterMark }), maxBytes, uri, size);
    } finally {
      await handle.close();
    }
  }

  /** A positional read of the range alone (pread): the rest of the file is never read. */
  async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    checkRange(uri, offset, length, maxBytes);
    const { handle, size } = await this.openFile(uri);
    try {
      if (offset + length > size) throw rangePastEnd(uri, offset, length, size);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        // The file shrank since its stat: as past its end.
        if (bytesRead === 0) throw rangePastEnd(uri, offset, length);
        done += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  existsIsCheap(): boolean {
    return true;
  }

  async exists(uri: string): Promise<boolean> {
    // Once per dispatch of requests (runtime/end-of-turn.ts currentBatch()): a file found during a
    // dispatch exists for every request of it, all of which had arrived by then. A deletion by another
    // process that lands during the dispatch is concurrent with them (either answer is right); one by
    // this process finishes through I/O, so never inside the dispatch. The next dispatch looks again.
    const batch = currentBatch();
    if (batch !== this.foundIn) {
      this.found.clear();
      this.foundIn = batch;
    }
    if (batch !== undefined && this.found.has(uri)) return true;
    // Synchronous on purpose: every loadTable checks its metadata file, and a local stat takes
    // microseconds, far less than a round trip through the libuv thread pool (docs/benchmarks.md).
    const legacy = legacyLocalPath(uri);
    const exists = existsSync(localPath(uri)) || (legacy !== undefined && existsSync(legacy));
    if (exists && batch !== undefined) this.found.add(uri);
    return exists;
  }

  /** Answers false when no file was there, at the literal path nor at the legacy one. */
  async delete(uri: string): Promise<boolean> {
    // A file, never a directory (deletePrefix is for those) nor another scheme: as every store's delete refuses.
    if (!this.handles(uri) || uri.endsWith('/')) throw new CatalogError('ERR_VALIDATION', `not a file location: ${uri}`);
    const target = localPath(uri);
    if (await unlinkFile(target)) {
      // Its checksum sidecar goes with it, as Hadoop's LocalFileSystem deletes it: part of the file, not counted.
      if (!CHECKSUM_SIDECAR.test(path.basename(target))) await unlinkFile(sidecarOf(target));
      return true;
    }
    const legacy = legacyLocalPath(uri);
    return legacy !== undefined && (await unlinkFile(legacy));
  }

  /** An unlink per file, DELETE_EACH_CONCURRENCY at once (delete-each.ts): a filesystem has no bulk delete. */
  deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(uris, (uri) => this.delete(uri));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const legacy = legacyLocalPath(prefix);
    return (await removeTree(localPath(prefix))) + (legacy === undefined ? 0 : await removeTree(legacy));
  }

  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const root = localPath(prefix);
    const base = prefix.replace(/\/+$/, '');
    // One directory at a time (readdir, then its files stat()ed LIST_STAT_BATCH at once): opendir's recursive mode
    // and one stat at a time cost a table of 10^5 files most of its orphan scan (docs/benchmarks.md, "Table
    // maintenance"). Memory holds one directory's names.
    const dirs = [root];
    while (dirs.length > 0) {
      const dir = dirs.pop()!;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // The prefix does not exist (nothing to list), or a directory went away while listing.
        if (code === 'ENOENT' || (code === 'ENOTDIR' && dir !== root)) continue;
        throw e;
      }
      const files: string[] = [];
      const names = new Set<string>();
      for (const entry of entries) if (!entry.isDirectory()) names.add(entry.name);
      for (const entry of entries) {
        if (entry.isDirectory()) dirs.push(path.join(dir, entry.name));
        // A checksum sidecar is part of its file while the file is there (as Hadoop lists them): not an object of its own.
        else if (!names.has(CHECKSUM_SIDECAR.exec(entry.name)?.[1] ?? '\u0000')) files.push(path.join(dir, entry.name));
      }
      for (let i = 0; i < files.length; i += LIST_STAT_BATCH) {
        const batch = files.slice(i, i + LIST_STAT_BATCH);
        const stats = await Promise.all(batch.map((f) => fs.stat(f).catch(() => undefined)));
        for (const [j, stat] of stats.entries()) {
          if (stat) yield { uri: `${base}/${path.relative(root, batch[j]!).split(path.sep).join('/')}`, bytes: stat.size, lastModifiedMs: stat.mtimeMs };
        }
      }
    }
  }
}

/** true when it unlinked a file, false when there was none. */
async function unlinkFile(target: string): Promise<boolean> {
  try {
    // unlink, one system call: rm() stats first (maintenance deletes 10^5 files in a run).
    await fs.unlink(target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    await fs.rm(target, { force: true });
    return true;
  }
}

/** Removes a directory and what it holds; answers how many files it held (0 when there was none). */
async function removeTree(dir: string): Promise<number> {
  let count = 0;
  try {
    for await (const entry of await fs.opendir(dir, { recursive: true })) if (!entry.isDirectory()) count += 1;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  await fs.rm(dir, { recursive: true, force: true });
  return count;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the file itself is already durable.
  } finally {
    await handle.close();
  }
}
