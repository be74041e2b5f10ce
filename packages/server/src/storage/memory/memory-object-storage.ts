/**
 * ObjectStorage in memory (mem:// URIs, or every URI with `handlesAll`): the port's in-tree implementation, for unit
 * tests of what the catalog reads, writes and deletes, and checked by the same contract suite as the real stores
 * (test/support/object-storage-contract.ts). `refuseDelete` makes chosen objects fail to delete, as a store refusing
 * some keys of a bulk delete would, so callers' handling of partial failures can be tested.
 */
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../../catalog/ports/index.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkRange, rangePastEnd } from '../byte-range.js';
import { deleteEach } from '../delete-each.js';

export interface MemoryObjectStorageOptions {
  /** Serve every URI, not only mem:// ones (a stand-in for a cloud store in unit tests). */
  handlesAll?: boolean;
  /** An error code for an object whose deletion the "store" refuses; undefined deletes it. */
  refuseDelete?: (uri: string) => string | undefined;
}

export class MemoryObjectStorage implements ObjectStorage {
  readonly objects = new Map<string, { data: Uint8Array; lastModifiedMs: number }>();
  /** deleteMany calls, with how many URIs each (bulk requests, as a store would count them). */
  readonly deleteManyCalls: number[] = [];

  constructor(private readonly options: MemoryObjectStorageOptions = {}) {}

  handles(uri: string): boolean {
    return this.options.handlesAll === true || uri.startsWith('mem://');
  }

  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    this.check(uri);
    if (this.objects.has(uri)) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
    this.objects.set(uri, { data, lastModifiedMs: Date.now() });
  }

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    const o = this.objects.get(this.check(uri));
    if (!o) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
    if (o.data.byteLength > maxBytes) throw new CatalogError('ERR_PAYLOAD_TOO_LARGE', `object ${uri} is larger than ${maxBytes} bytes`);
    return o.data;
  }

  async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    checkRange(uri, offset, length, maxBytes);
    const o = this.objects.get(this.check(uri));
    if (!o) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
    if (offset + length > o.data.byteLength) throw rangePastEnd(uri, offset, length, o.data.byteLength);
    return o.data.slice(offset, offset + length);
  }

  async exists(uri: string): Promise<boolean> {
    return this.objects.has(this.check(uri));
  }

  existsIsCheap(): boolean {
    return true;
  }

  async delete(uri: string): Promise<boolean> {
    this.check(uri);
    const refused = this.options.refuseDelete?.(uri);
    if (refused !== undefined) throw new CatalogError('ERR_STORAGE', `memory delete ${uri} failed: ${refused}`);
    return this.objects.delete(uri);
  }

  deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    this.deleteManyCalls.push(uris.length);
    return deleteEach(uris, (uri) => this.delete(uri));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const dir = this.directory(prefix);
    let n = 0;
    for (const uri of [...this.objects.keys()]) {
      if (uri.startsWith(dir)) {
        await this.delete(uri);
        n += 1;
      }
    }
    return n;
  }

  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const dir = this.directory(prefix);
    for (const [uri, o] of [...this.objects.entries()].filter(([uri]) => uri.startsWith(dir)).sort(([a], [b]) => (a < b ? -1 : 1))) {
      yield { uri, bytes: o.data.byteLength, lastModifiedMs: o.lastModifiedMs };
    }
  }

  /** Objects only: an empty name or a directory-like one is a caller's mistake, as on every store. */
  private check(uri: string): string {
    if (!this.handles(uri) || uri.endsWith('/') || /^[a-z0-9+.-]+:\/\/[^/]*$/i.test(uri))
      throw new CatalogError('ERR_VALIDATION', `not an object location of this storage: ${uri}`);
    return uri;
  }

  private directory(prefix: string): string {
    const dir = prefix.endsWith('/') ? prefix : `${prefix}/`;
    if (/^[a-z0-9+.-]+:\/\/[^/]*\/$/i.test(dir)) throw new CatalogError('ERR_VALIDATION', `refusing to delete or list a whole bucket: ${prefix}`);
    return dir;
  }
}
