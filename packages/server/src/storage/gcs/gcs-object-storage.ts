/**
 * Object storage on Google Cloud Storage (gs:// URIs) through the JSON API,
 * authorized by a google-auth-library client (the warehouse's service
 * account key, or Application Default Credentials).
 * writeNew is a conditional upload (ifGenerationMatch=0: "only if no live
 * object has this name"): GCS itself refuses to replace an existing object,
 * so two writers can never overwrite one another's metadata file, and an
 * upload is atomic.
 * Error messages name the operation, the URI and the HTTP status only: gaxios
 * errors carry the request, with its Authorization header.
 */
import type { AuthClient } from 'google-auth-library';
import type { DeleteManyResult, ObjectStorage, StoredObject } from '../../catalog/ports/index.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { discard, readBounded } from '../bounded-read.js';
import { checkRange, rangeHeader, rangePastEnd, wrongRange } from '../byte-range.js';
import { deleteEach } from '../delete-each.js';
import { type GcsLocation, isGcsUri, parseGcsLocation } from './gcs-location.js';

export const GCS_DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

export interface GcsObjectStorageOptions {
  /** The only bucket this storage serves. */
  bucket: string;
  /** JSON API root, e.g. an emulator's http://127.0.0.1:4443; Google's when omitted. */
  endpoint?: string;
  /** The client that authorizes requests (created on first use). */
  auth: () => Promise<AuthClient>;
}

interface Response {
  status: number;
  data: unknown;
  headers: Headers;
}

export class GcsObjectStorage implements ObjectStorage {
  private readonly endpoint: string;
  private client: Promise<AuthClient> | undefined;

  constructor(private readonly options: GcsObjectStorageOptions) {
    this.endpoint = (options.endpoint ?? GCS_DEFAULT_ENDPOINT).replace(/\/+$/, '');
  }

  handles(uri: string): boolean {
    return isGcsUri(uri);
  }

  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    const { bucket, name } = this.objectLocation(uri);
    const query = new URLSearchParams({ uploadType: 'media', name, ifGenerationMatch: '0' });
    const res = await this.call('POST', `/upload/storage/v1/b/${enc(bucket)}/o?${query}`, uri, 'upload', {
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      headers: { 'content-type': 'application/octet-stream' },
    });
    // 412: an object with this name exists (or a concurrent conditional upload won).
    if (res.status === 412) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
    expectOk(res, 'upload', uri);
  }

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    const { bucket, name } = this.objectLocation(uri);
    const res = await this.call('GET', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?alt=media`, uri, 'get', { responseType: 'stream' });
    if (res.status < 200 || res.status >= 300) discard(res.data);
    if (res.status === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
    expectOk(res, 'get', uri);
    const length = res.headers.get('content-length');
    try {
      return await readBounded(res.data as AsyncIterable<Uint8Array>, maxBytes, uri, length === null ? undefined : Number(length));
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      // A connection cut mid-body: the same message shape as call()'s, without gaxios' request.
      throw new CatalogError('ERR_STORAGE', `GCS get ${uri} failed: ${e instanceof Error ? e.name : 'Error'}`);
    }
  }

  /**
   * A media GET with `Range: bytes=a-b`. GCS answers a range starting past the end with 416 and one running past it
   * with fewer bytes: both are refused. A zero length reads the object's size (a Range cannot name no bytes).
   */
  async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    checkRange(uri, offset, length, maxBytes);
    const { bucket, name } = this.objectLocation(uri);
    if (length === 0) {
      const res = await this.call('GET', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?fields=size`, uri, 'get metadata');
      if (res.status === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      expectOk(res, 'get metadata', uri);
      const size = Number((res.data as { size?: string }).size);
      if (offset > size) throw rangePastEnd(uri, offset, length, size);
      return new Uint8Array(0);
    }
    const path = `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?alt=media`;
    const res = await this.call('GET', path, uri, 'get', { responseType: 'stream', headers: { range: rangeHeader(offset, length) } });
    const contentRange = res.headers.get('content-range');
    const declared = res.headers.get('content-length');
    if (res.status < 200 || res.status >= 300 || (declared !== null && Number(declared) !== length)) discard(res.data);
    if (res.status === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
    if (res.status === 416) throw wrongRange(uri, offset, length, contentRange);
    expectOk(res, 'get', uri);
    if (declared !== null && Number(declared) !== length) throw wrongRange(uri, offset, length, contentRange);
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(res.data as AsyncIterable<Uint8Array>, length, uri, declared === null ? undefined : Number(declared));
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      throw new CatalogError('ERR_STORAGE', `GCS get ${uri} failed: ${e instanceof Error ? e.name : 'Error'}`);
    }
    if (bytes.byteLength !== length) throw wrongRange(uri, offset, length, contentRange);
    return bytes;
  }

  /** A HEAD request per call: too slow to run on every table load. */
  existsIsCheap(): boolean {
    return false;
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, name } = this.objectLocation(uri);
    const res = await this.call('GET', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?fields=name`, uri, 'get metadata');
    if (res.status === 404) return false;
    expectOk(res, 'get metadata', uri);
    return true;
  }

  async delete(uri: string): Promise<boolean> {
    const { bucket, name } = this.objectLocation(uri);
    const res = await this.call('DELETE', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}`, uri, 'delete');
    if (res.status === 404) return false;
    expectOk(res, 'delete', uri);
    return true;
  }

  /** A JSON API DELETE per object, DELETE_EACH_CONCURRENCY at once (delete-each.ts says why not the batch endpoint). */
  deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    return deleteEach(uris, (uri) => this.delete(uri));
  }

  /** A listed page (1000 objects) at a time through deleteMany; what could not be deleted fails the purge, which is retried. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let page: string[] = [];
    const flush = async () => {
      const result = await this.deleteMany(page);
      page = [];
      deleted += result.deleted.length;
      if (result.failed.length > 0)
        throw new CatalogError(
          'ERR_STORAGE',
          `GCS delete under ${prefix} failed for ${result.failed.length} object(s) (${deleted} deleted): ${result.failed[0]!.message}`,
        );
    };
    for await (const o of this.list(prefix, 'delete')) {
      page.push(o.uri);
      if (page.length >= 1000) await flush();
    }
    if (page.length > 0) await flush();
    return deleted;
  }

  /** The objects under a directory prefix (gs://b/wh/t1 never lists gs://b/wh/t10), a page of 1000 at a time. */
  async *list(prefix: string, purpose: 'list' | 'delete' = 'list'): AsyncGenerator<StoredObject> {
    const location = this.location(prefix);
    const trimmed = location.name.replace(/\/+$/, '');
    if (trimmed === '') throw new CatalogError('ERR_VALIDATION', `refusing to ${purpose} a whole bucket: ${prefix}`);
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ prefix: `${trimmed}/`, fields: 'items(name,size,updated),nextPageToken', maxResults: '1000' });
      if (pageToken) query.set('pageToken', pageToken);
      const res = await this.call('GET', `/storage/v1/b/${enc(location.bucket)}/o?${query}`, prefix, 'list');
      expectOk(res, 'list', prefix);
      const page = res.data as { items?: { name: string; size?: string; updated?: string }[]; nextPageToken?: string };
      for (const item of page.items ?? []) {
        const updated = item.updated === undefined ? Number.NaN : Date.parse(item.updated);
        // An object without a time reads as new, so an orphan search keeps it (never deletes what it cannot date).
        yield {
          uri: `gs://${location.bucket}/${item.name}`,
          bytes: Number(item.size ?? 0),
          lastModifiedMs: Number.isFinite(updated) ? updated : Number.MAX_SAFE_INTEGER,
        };
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  private async call(
    method: string,
    path: string,
    uri: string,
    operation: string,
    extra: { data?: Buffer; headers?: Record<string, string>; responseType?: 'stream' } = {},
  ): Promise<Response> {
    this.client ??= this.options.auth();
    try {
      const client = await this.client;
      // 5xx are errors (and retried, except for uploads); every other status is the caller's to read.
      const res = await client.request({
        url: `${this.endpoint}${path}`,
        method: method as 'GET' | 'POST' | 'DELETE',
        ...extra,
        validateStatus: (status: number) => status < 500,
        retry: method !== 'POST',
      });
      return { status: res.status, data: res.data, headers: res.headers };
    } catch (e) {
      const status = (e as { response?: { status?: number } } | undefined)?.response?.status;
      const detail = `${e instanceof Error ? e.name : 'Error'}${status ? ` (HTTP ${status})` : ''}`;
      throw new CatalogError('ERR_STORAGE', `GCS ${operation} ${uri} failed: ${detail}`, { cause: new Error(detail) });
    }
  }

  private location(uri: string): GcsLocation {
    const location = parseGcsLocation(uri);
    if (location.bucket !== this.options.bucket) throw new CatalogError('ERR_VALIDATION', `location ${uri} is not in bucket ${this.options.bucket}`);
    return location;
  }

  private objectLocation(uri: string): GcsLocation {
    const location = this.location(uri);
    if (location.name === '' || location.name.endsWith('/')) throw new CatalogError('ERR_VALIDATION', `not a GCS object location: ${uri}`);
    return location;
  }
}

const enc = encodeURIComponent;

function expectOk(res: Response, operation: string, uri: string): void {
  if (res.status < 200 || res.status >= 300) throw new CatalogError('ERR_STORAGE', `GCS ${operation} ${uri} failed: HTTP ${res.status}`);
}
