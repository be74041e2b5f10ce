/**
 * A rewrite's files (parquet-rewriter.ts RewriteFiles) over the catalog's object storage, with bounded memory: a local
 * file (`file://`) is read lazily from disk, a row group at a time; an object in a store that streams (S3: the port's
 * `download`) is copied to a temporary file first and read from there the same way, and the output is staged in a
 * temporary file and streamed up (`uploadNew`), never overwriting. A store without streaming (GCS, Azure, memory yet)
 * is read whole, bounded by `maxObjectBytes`. A deletion vector is read alone from its Puffin file (readRange: one ranged
 * request of the blob's bytes), never the file. Temporary files go away when the rewrite ends.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../errors/catalog-error.js';
import type { ObjectStorage } from '../catalog/object-storage.js';
import type { RewriteFiles } from './parquet-rewriter.js';
import { localBlob } from './parquet-io.js';

const notStreamed = (e: unknown) => e instanceof CatalogError && e.code === 'ERR_NOT_IMPLEMENTED';

export class StorageRewriteFiles implements RewriteFiles {
  private dir: string | undefined;
  private count = 0;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly maxObjectBytes: number,
    /** An empty directory made for this rewrite (a rewrite thread's job: its caller removes it if the thread dies); else one is made. */
    private readonly givenDir?: string,
  ) {}

  private async local(name: string): Promise<string> {
    this.dir ??= this.givenDir ?? (await mkdtemp(path.join(tmpdir(), 'lakegate-rewrite-')));
    return path.join(this.dir, `${this.count++}-${name}`);
  }

  async open(uri: string): Promise<Blob> {
    return localBlob(await this.localPath(uri));
  }

  /** The object as a local file: a `file://` one where it is, else a temporary copy (a reader of paths, DuckDB, reads it). */
  async localPath(uri: string): Promise<string> {
    if (uri.startsWith('file:')) return fileURLToPath(uri);
    const copy = await this.local('in.parquet');
    try {
      if (!this.storage.download) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'no streamed download');
      await this.storage.download(uri, copy);
    } catch (e) {
      if (!notStreamed(e)) throw e;
      await writeFile(copy, await this.storage.read(uri, this.maxObjectBytes), { flag: 'wx' });
    }
    return copy;
  }

  /** One ranged read of the store (the port's readRange), never the whole object nor a temporary copy. */
  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    return this.storage.readRange(uri, offset, length, maxBytes);
  }

  scratch(): Promise<string> {
    return this.local('out.parquet');
  }

  async publish(local: string, uri: string): Promise<void> {
    try {
      if (!this.storage.uploadNew) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'no streamed upload');
      await this.storage.uploadNew(uri, local);
    } catch (e) {
      if (!notStreamed(e)) throw e;
      await this.storage.writeNew(uri, await readFile(local));
    }
  }

  /** Removes every temporary file of this rewrite. */
  async discard(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
