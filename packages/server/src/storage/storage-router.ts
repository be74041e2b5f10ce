import { CatalogError } from '../errors/catalog-error.js';
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../catalog/ports/index.js';
import { deleteFailure } from './delete-each.js';

/** Picks the adapter for a location by its scheme. */
export class StorageRouter implements ObjectStorage {
  constructor(private readonly adapters: ObjectStorage[]) {}

  private pick(uri: string): ObjectStorage {
    const adapter = this.adapters.find((a) => a.handles(uri));
    if (!adapter) throw new CatalogError('ERR_VALIDATION', `no storage adapter serves location ${JSON.stringify(uri.split(':')[0])} scheme`);
    return adapter;
  }

  handles(uri: string): boolean {
    return this.adapters.some((a) => a.handles(uri));
  }
  writeNew(uri: string, data: Uint8Array): Promise<void> {
    return this.pick(uri).writeNew(uri, data);
  }
  read(uri: string, maxBytes: number): Promise<Uint8Array> {
    return this.pick(uri).read(uri, maxBytes);
  }
  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    return this.pick(uri).readRange(uri, offset, length, maxBytes);
  }
  existsIsCheap(uri: string): boolean {
    return this.pick(uri).existsIsCheap(uri);
  }
  exists(uri: string): Promise<boolean> {
    return this.pick(uri).exists(uri);
  }
  delete(uri: string): Promise<boolean | void> {
    return this.pick(uri).delete(uri);
  }
  /** Each adapter's own bulk delete over its URIs; a URI no adapter serves is failed. */
  async deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    const out: DeleteManyResult = { deleted: [], missing: [], failed: [] };
    const byAdapter = new Map<ObjectStorage, string[]>();
    for (const uri of uris) {
      try {
        const adapter = this.pick(uri);
        const list = byAdapter.get(adapter);
        if (list) list.push(uri);
        else byAdapter.set(adapter, [uri]);
      } catch (e) {
        out.failed.push(deleteFailure(uri, e));
      }
    }
    for (const [adapter, some] of byAdapter) {
      const result = await adapter.deleteMany(some);
      out.deleted.push(...result.deleted);
      out.missing.push(...result.missing);
      out.failed.push(...result.failed);
    }
    return out;
  }
  deletePrefix(prefix: string): Promise<number> {
    return this.pick(prefix).deletePrefix(prefix);
  }
  download(uri: string, localPath: string): Promise<number> {
    const adapter = this.pick(uri);
    if (!adapter.download) return Promise.reject(new CatalogError('ERR_NOT_IMPLEMENTED', 'streamed downloads are not supported on this storage'));
    return adapter.download(uri, localPath);
  }
  uploadNew(uri: string, localPath: string): Promise<void> {
    const adapter = this.pick(uri);
    if (!adapter.uploadNew) return Promise.reject(new CatalogError('ERR_NOT_IMPLEMENTED', 'streamed uploads are not supported on this storage'));
    return adapter.uploadNew(uri, localPath);
  }
  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const adapter = this.pick(prefix);
    if (!adapter.list) throw new CatalogError('ERR_NOT_IMPLEMENTED', `listing objects is not supported on ${JSON.stringify(prefix.split(':')[0])} storage yet`);
    yield* adapter.list(prefix);
  }
}
