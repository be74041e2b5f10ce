/**
 * Object storage on Azure Blob Storage and ADLS Gen2 (abfs[s]:// and
 * wasb[s]:// URIs of one account), through the Blob service with the
 * account's shared key. writeNew is a conditional Put Blob (If-None-Match: *):
 * the service refuses to replace an existing blob, so two writers can never
 * overwrite one another's metadata file, and a single Put Blob is atomic.
 * Error messages name the operation, the URI and the storage error code only:
 * the SDK's errors carry the request (with its Authorization header), so they
 * never become a cause as they are.
 */
import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../../catalog/ports/index.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { discard, readBounded } from '../bounded-read.js';
import { checkRange, rangePastEnd, wrongRange } from '../byte-range.js';
import { deleteEach } from '../delete-each.js';
import { type AzureLocation, defaultBlobEndpoint, directoryPath, isAzureUri, parseAzureLocation } from './azure-location.js';

export interface AzureObjectStorageOptions {
  account: string;
  /** The account key (base64). */
  accountKey: string;
  /** Blob service URL of the account; https://<account>.blob.core.windows.net when omitted. */
  endpoint?: string;
  /** When set (always, for a warehouse's profile), the only container this storage serves, whoever asks. */
  container?: string;
  /** A ready client (tests); account key and endpoint are then ignored. */
  client?: BlobServiceClient;
}

export class AzureObjectStorage implements ObjectStorage {
  private readonly client: BlobServiceClient;

  constructor(private readonly options: AzureObjectStorageOptions) {
    this.client =
      options.client ??
      new BlobServiceClient(options.endpoint ?? defaultBlobEndpoint(options.account), new StorageSharedKeyCredential(options.account, options.accountKey), {
        // The SDK's own retries are enough; no telemetry headers beyond its defaults.
        retryOptions: { maxTries: 3 },
      });
  }

  handles(uri: string): boolean {
    return isAzureUri(uri);
  }

  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    const { container, path } = this.objectLocation(uri);
    try {
      await container.getBlockBlobClient(path).uploadData(data, { conditions: { ifNoneMatch: '*' } });
    } catch (e) {
      // 409 BlobAlreadyExists: the blob exists. 412: a concurrent conditional write won.
      const status = statusOf(e);
      if (status === 409 || status === 412) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
      throw storageError('PutBlob', uri, e);
    }
  }

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    const { container, path } = this.objectLocation(uri);
    try {
      const res = await container.getBlobClient(path).download();
      if (!res.readableStreamBody) throw new CatalogError('ERR_STORAGE', `Azure GetBlob ${uri} returned no body`);
      return await readBounded(res.readableStreamBody as unknown as AsyncIterable<Uint8Array>, maxBytes, uri, res.contentLength);
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      if (statusOf(e) === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      throw storageError('GetBlob', uri, e);
    }
  }

  /**
   * A Get Blob of the range (x-ms-range). The service answers a range starting past the end with 416 and one running
   * past it with fewer bytes: both are refused. A zero length reads the blob's properties (a count of 0 means "to the end").
   */
  async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    checkRange(uri, offset, length, maxBytes);
    const { container, path } = this.objectLocation(uri);
    const blob = container.getBlobClient(path);
    try {
      if (length === 0) {
        const size = (await blob.getProperties()).contentLength;
        if (size !== undefined && offset > size) throw rangePastEnd(uri, offset, length, size);
        return new Uint8Array(0);
      }
      const res = await blob.download(offset, length);
      if (!res.readableStreamBody) throw new CatalogError('ERR_STORAGE', `Azure GetBlob ${uri} returned no body`);
      if (res.contentLength !== undefined && res.contentLength !== length) {
        discard(res.readableStreamBody);
        throw wrongRange(uri, offset, length, res.contentRange);
      }
      const bytes = await readBounded(res.readableStreamBody as unknown as AsyncIterable<Uint8Array>, length, uri, res.contentLength);
      if (bytes.byteLength !== length) throw wrongRange(uri, offset, length, res.contentRange);
      return bytes;
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      const status = statusOf(e);
      if (status === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      if (status === 416) throw rangePastEnd(uri, offset, length);
      throw storageError(length === 0 ? 'GetBlobProperties' : 'GetBlob', uri, e);
    }
  }

  /** A HEAD request per call: too slow to run on every table load. */
  existsIsCheap(): boolean {
    return false;
  }

  async exists(uri: string): Promise<boolean> {
    const { container, path } = this.objectLocation(uri);
    try {
      return await container.getBlobClient(path).exists();
    } catch (e) {
      throw storageError('GetBlobProperties', uri, e);
    }
  }

  async delete(uri: string): Promise<boolean> {
    const { container, path } = this.objectLocation(uri);
    try {
      return (await container.getBlobClient(path).deleteIfExists()).succeeded;
    } catch (e) {
      throw storageError('DeleteBlob', uri, e);
    }
  }

  /**
   * A Delete Blob per blob, DELETE_EACH_CONCURRENCY at once (delete-each.ts). Not Blob Batch (256 deletes a request):
   * Azure announced it without hierarchical-namespace (ADLS Gen2) accounts, where abfs:// tables live, and Azurite,
   * which the tests run against, is the only store here to verify it on.
   */
  deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(uris, (uri) => this.delete(uri));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const location = this.location(prefix);
    // Always a directory prefix: deleting under .../wh/t1 must not touch .../wh/t10.
    const namePrefix = directoryPath(location.path);
    if (namePrefix === '') throw new CatalogError('ERR_VALIDATION', `refusing to delete a whole container: ${prefix}`);
    const container = this.container(location);
    let deleted = 0;
    // With a hierarchical namespace, directories are listed too (metadata hdi_isfolder) and can
    // only be deleted once empty: files first, then directories deepest first.
    const directories: string[] = [];
    try {
      for await (const page of container.listBlobsFlat({ prefix: namePrefix, includeMetadata: true }).byPage({ maxPageSize: 1000 })) {
        const files: string[] = [];
        for (const item of page.segment.blobItems) {
          if (item.metadata?.hdi_isfolder === 'true') directories.push(item.name);
          else files.push(item.name);
        }
        const base = `${location.scheme}://${location.container}@${location.host}/`;
        const result = await this.deleteMany(files.map((name) => base + name));
        deleted += result.deleted.length;
        // What could not be deleted stays, and the purge fails with the count: the caller keeps its record and retries.
        if (result.failed.length > 0)
          throw new CatalogError(
            'ERR_STORAGE',
            `Azure delete under ${prefix} failed for ${result.failed.length} blob(s) (${deleted} deleted): ${result.failed[0]!.message}`,
          );
      }
      directories.sort((a, b) => b.split('/').length - a.split('/').length);
      for (const name of directories) await container.getBlobClient(name).deleteIfExists();
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      throw storageError('DeletePrefix', prefix, e);
    }
    return deleted;
  }

  /**
   * The blobs under a directory prefix (hierarchical-namespace directories left out), named in the prefix's own
   * spelling (scheme and host), which is how a table's metadata names its files.
   */
  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const location = this.location(prefix);
    const namePrefix = directoryPath(location.path);
    if (namePrefix === '') throw new CatalogError('ERR_VALIDATION', `refusing to list a whole container: ${prefix}`);
    const base = `${location.scheme}://${location.container}@${location.host}/`;
    const pages = this.container(location).listBlobsFlat({ prefix: namePrefix, includeMetadata: true }).byPage({ maxPageSize: 1000 });
    for (;;) {
      let page;
      try {
        page = await pages.next();
      } catch (e) {
        throw storageError('ListBlobs', prefix, e);
      }
      if (page.done) return;
      for (const item of page.value.segment.blobItems) {
        if (item.metadata?.hdi_isfolder === 'true') continue;
        // A blob without a time reads as new, so an orphan search keeps it (never deletes what it cannot date).
        yield {
          uri: base + item.name,
          bytes: item.properties.contentLength ?? 0,
          lastModifiedMs: item.properties.lastModified?.getTime() ?? Number.MAX_SAFE_INTEGER,
        };
      }
    }
  }

  private location(uri: string): AzureLocation {
    const location = parseAzureLocation(uri);
    if (location.account !== this.options.account) {
      throw new CatalogError('ERR_VALIDATION', `location ${uri} is not in storage account ${this.options.account}`);
    }
    if (this.options.container !== undefined && location.container !== this.options.container) {
      throw new CatalogError('ERR_VALIDATION', `location ${uri} is not in container ${this.options.container}`);
    }
    return location;
  }

  private container(location: AzureLocation): ContainerClient {
    return this.client.getContainerClient(location.container);
  }

  private objectLocation(uri: string): { container: ContainerClient; path: string } {
    const location = this.location(uri);
    if (location.path === '' || location.path.endsWith('/')) throw new CatalogError('ERR_VALIDATION', `not an Azure blob location: ${uri}`);
    return { container: this.container(location), path: location.path };
  }
}

const statusOf = (e: unknown): number | undefined => (e as { statusCode?: number } | undefined)?.statusCode;

/**
 * ERR_STORAGE naming the operation, the URI and the storage error code. The cause is a plain
 * Error with the error's name, code and status only: a RestError also carries the request and
 * response, including the Authorization header.
 */
function storageError(operation: string, uri: string, e: unknown): CatalogError {
  const name = e instanceof Error ? e.name : 'Error';
  const code = (e as { code?: unknown } | undefined)?.code;
  const status = statusOf(e);
  const detail = `${name}${typeof code === 'string' ? ` ${code}` : ''}${status ? ` (HTTP ${status})` : ''}`;
  return new CatalogError('ERR_STORAGE', `Azure ${operation} ${uri} failed: ${detail}`, { cause: new Error(detail) });
}
