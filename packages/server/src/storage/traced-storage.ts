/**
 * A client span per object-store call the catalog makes (metadata files, existence checks, purges), around the
 * warehouse's storage adapter: one wrapper for every backend (S3, Azure, GCS, local files). The span names the
 * operation and the URI's scheme only: object keys name tables, and a URI could carry a SAS or signature in a query.
 */
import { CatalogError } from '../errors/catalog-error.js';
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../catalog/ports/index.js';
import type { SpanNote, Spans } from '../catalog/ports/tracing.js';

const scheme = (uri: string) => /^([a-z][a-z0-9+.-]{0,15}):/i.exec(uri)?.[1]?.toLowerCase() ?? 'file';

export class TracedStorage implements ObjectStorage {
  constructor(
    private readonly inner: ObjectStorage,
    private readonly spans: Spans,
  ) {}

  private call<T>(operation: string, uri: string, step: () => Promise<T>, note?: (span: SpanNote, result: T) => void): Promise<T> {
    return this.spans.run(
      `storage ${operation}`,
      async (span) => {
        if (span.recording) {
          span.set('lakegate.storage.operation', operation);
          span.set('lakegate.storage.scheme', scheme(uri));
        }
        const result = await step();
        if (span.recording && note) note(span, result);
        return result;
      },
      'client',
    );
  }

  handles(uri: string): boolean {
    return this.inner.handles(uri);
  }

  writeNew(uri: string, data: Uint8Array): Promise<void> {
    return this.call(
      'write',
      uri,
      () => this.inner.writeNew(uri, data),
      (span) => span.set('lakegate.storage.bytes', data.byteLength),
    );
  }

  read(uri: string, maxBytes: number): Promise<Uint8Array> {
    return this.call(
      'read',
      uri,
      () => this.inner.read(uri, maxBytes),
      (span, bytes) => span.set('lakegate.storage.bytes', bytes.byteLength),
    );
  }

  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    return this.call(
      'read-range',
      uri,
      () => this.inner.readRange(uri, offset, length, maxBytes),
      (span, bytes) => span.set('lakegate.storage.bytes', bytes.byteLength),
    );
  }

  exists(uri: string): Promise<boolean> {
    return this.call('exists', uri, () => this.inner.exists(uri));
  }

  existsIsCheap(uri: string): boolean {
    return this.inner.existsIsCheap(uri);
  }

  delete(uri: string): Promise<boolean | void> {
    return this.call('delete', uri, () => this.inner.delete(uri));
  }

  /** One span for the whole call (its batches are the adapter's), with how many objects were deleted and failed. */
  deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    return this.call(
      'delete-many',
      uris[0] ?? '',
      () => this.inner.deleteMany(uris),
      (span, result) => {
        span.set('lakegate.storage.objects', result.deleted.length);
        span.set('lakegate.storage.failed', result.failed.length);
        span.set('lakegate.storage.missing', result.missing.length);
      },
    );
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.call(
      'delete-prefix',
      prefix,
      () => this.inner.deletePrefix(prefix),
      (span, count) => span.set('lakegate.storage.objects', count),
    );
  }

  download(uri: string, localPath: string): Promise<number> {
    if (!this.inner.download) return Promise.reject(new CatalogError('ERR_NOT_IMPLEMENTED', 'streamed downloads are not supported on this storage'));
    return this.call(
      'download',
      uri,
      () => this.inner.download!(uri, localPath),
      (span, bytes) => span.set('lakegate.storage.bytes', bytes),
    );
  }

  uploadNew(uri: string, localPath: string): Promise<void> {
    if (!this.inner.uploadNew) return Promise.reject(new CatalogError('ERR_NOT_IMPLEMENTED', 'streamed uploads are not supported on this storage'));
    return this.call('upload', uri, () => this.inner.uploadNew!(uri, localPath));
  }

  /** Not a span per page: the listing is one long scan, traced by the job that runs it. */
  async *list(prefix: string): AsyncGenerator<StoredObject> {
    if (!this.inner.list) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'listing objects is not supported on this storage yet');
    yield* this.inner.list(prefix);
  }
}

/** The storage itself when tracing is off. */
export const withStorageSpans = (storage: ObjectStorage, spans: Spans | undefined): ObjectStorage =>
  spans?.enabled ? new TracedStorage(storage, spans) : storage;
