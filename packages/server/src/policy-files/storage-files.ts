/**
 * A rewrite's files (parquet-rewriter.ts RewriteFiles) over the catalog's object storage. A local file (`file://`)
 * is read lazily from disk, a row group at a time. An object in a store is read whole, bounded by `maxObjectBytes`
 * (the storage port reads objects whole today; ranged reads would let S3 inputs stream too, and are the next step),
 * and the written output is staged in a temporary directory, then stored with writeNew (never overwriting).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectStorage } from '../catalog/object-storage.js';
import type { RewriteFiles } from './parquet-rewriter.js';
import { localBlob } from './parquet-io.js';

export class StorageRewriteFiles implements RewriteFiles {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly maxObjectBytes: number,
  ) {}

  async open(uri: string): Promise<Blob> {
    if (uri.startsWith('file:')) return localBlob(fileURLToPath(uri));
    return new Blob([await this.storage.read(uri, this.maxObjectBytes)]);
  }

  async scratch(): Promise<string> {
    return path.join(await mkdtemp(path.join(tmpdir(), 'lakegate-rewrite-')), 'out.parquet');
  }

  async publish(local: string, uri: string): Promise<void> {
    try {
      await this.storage.writeNew(uri, await readFile(local));
    } finally {
      await this.discard(local);
    }
  }

  async discard(local: string): Promise<void> {
    await rm(path.dirname(local), { recursive: true, force: true });
  }
}
