/**
 * Object storage on the local filesystem (file: URIs).
 * writeNew writes a temporary file, fsyncs it and hard-links it into place:
 * link() fails if the target exists, so two writers can never overwrite one
 * another's metadata file, and a crash leaves either no file or a whole one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CatalogError } from '../../errors/catalog-error.js';
import type { ObjectStorage, StoredObject } from '../../catalog/ports.js';
import { localPath } from '../../catalog/locations.js';
import { currentBatch } from '../../runtime/end-of-turn.js';
import { readBounded } from '../bounded-read.js';

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

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(localPath(uri), 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      throw e;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      return await readBounded(handle.createReadStream({ autoClose: false }), maxBytes, uri, stat.size);
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
    const exists = existsSync(localPath(uri));
    if (exists && batch !== undefined) this.found.add(uri);
    return exists;
  }

  async delete(uri: string): Promise<void> {
    await fs.rm(localPath(uri), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const dir = localPath(prefix);
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

  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const dir = localPath(prefix);
    const base = prefix.replace(/\/+$/, '');
    let entries: AsyncIterable<import('node:fs').Dirent>;
    try {
      entries = await fs.opendir(dir, { recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for await (const entry of entries) {
      if (entry.isDirectory()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const stat = await fs.stat(full).catch(() => undefined);
      if (!stat) continue;
      yield { uri: `${base}/${path.relative(dir, full).split(path.sep).join('/')}`, bytes: stat.size, lastModifiedMs: stat.mtimeMs };
    }
  }
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
