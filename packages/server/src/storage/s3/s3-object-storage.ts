/**
 * Object storage on S3 and S3-compatible stores (s3://, s3a://, s3n:// URIs).
 * writeNew is a conditional PUT (If-None-Match: *): the store itself refuses
 * to replace an existing object, so two writers can never overwrite one
 * another's metadata file, and a PUT is atomic (all of the object or none).
 * Error messages name the operation, the URI and the S3 error code only:
 * never a credential.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CatalogError } from '../../errors/catalog-error.js';
import type { DeleteFailure, DeleteManyResult, ObjectStorage, StoredObject } from '../../catalog/ports/index.js';
import { deleteFailure } from '../delete-each.js';
import { discard, readBounded } from '../bounded-read.js';
import { checkRange, rangeHeader, rangePastEnd, wrongRange } from '../byte-range.js';
import { DELETE_BATCH, deleteObjects, type KeyToDelete } from './s3-delete-objects.js';
import { directoryPrefix, isS3Uri, parseS3Location } from './s3-location.js';

export interface S3ObjectStorageOptions {
  /** The profile's bucket: the only one this storage reads, writes or deletes in, whatever the caller asks. */
  bucket: string;
  /** Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000; omit for AWS. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (http://host/bucket/key), which MinIO and most S3-compatible stores need. */
  pathStyle: boolean;
  /** Static credentials; omit to use the AWS SDK's default provider chain (env, profile, instance role). */
  credentials?: S3ClientConfig['credentials'];
  /** A ready client (tests); the options above are then ignored. */
  client?: S3Client;
}

export class S3ObjectStorage implements ObjectStorage {
  private readonly client: S3Client;

  constructor(private readonly options: S3ObjectStorageOptions) {
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.pathStyle,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        // Checksums only where S3 requires them: S3-compatible stores differ in their support
        // for the SDK's default (trailing CRC) checksums.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  handles(uri: string): boolean {
    return isS3Uri(uri);
  }

  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, IfNoneMatch: '*' }));
    } catch (e) {
      // 412: the object exists. 409: a concurrent conditional write to the same key won.
      const status = httpStatus(e);
      if (status === 412 || status === 409) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
      throw storageError('PutObject', uri, e);
    }
  }

  async download(uri: string, localPath: string): Promise<number> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) throw new CatalogError('ERR_STORAGE', `S3 GetObject ${uri} returned no body`);
      await pipeline(out.Body as NodeJS.ReadableStream, createWriteStream(localPath, { flags: 'wx' }));
      return (await stat(localPath)).size;
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      if (httpStatus(e) === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      throw storageError('GetObject', uri, e);
    }
  }

  async uploadNew(uri: string, localPath: string): Promise<void> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      const { size } = await stat(localPath);
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(localPath), ContentLength: size, IfNoneMatch: '*' }));
    } catch (e) {
      const status = httpStatus(e);
      if (status === 412 || status === 409) throw new CatalogError('ERR_STORAGE', `object already exists: ${uri}`);
      throw storageError('PutObject', uri, e);
    }
  }

  async read(uri: string, maxBytes: number): Promise<Uint8Array> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) throw new CatalogError('ERR_STORAGE', `S3 GetObject ${uri} returned no body`);
      // In Node the body is a Readable (an async iterable of chunks).
      return await readBounded(out.Body as unknown as AsyncIterable<Uint8Array>, maxBytes, uri, out.ContentLength);
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      if (httpStatus(e) === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      throw storageError('GetObject', uri, e);
    }
  }

  /**
   * One GetObject with `Range: bytes=a-b`. S3 answers a range starting past the end with 416 and one running past it
   * with fewer bytes: both are refused. A zero length is a HeadObject (a Range cannot name no bytes).
   */
  async readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array> {
    checkRange(uri, offset, length, maxBytes);
    const { bucket, key } = this.objectLocation(uri);
    try {
      if (length === 0) {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        if (head.ContentLength !== undefined && offset > head.ContentLength) throw rangePastEnd(uri, offset, length, head.ContentLength);
        return new Uint8Array(0);
      }
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: rangeHeader(offset, length) }));
      if (!out.Body) throw new CatalogError('ERR_STORAGE', `S3 GetObject ${uri} returned no body`);
      if (out.ContentLength !== undefined && out.ContentLength !== length) {
        discard(out.Body);
        throw wrongRange(uri, offset, length, out.ContentRange);
      }
      const bytes = await readBounded(out.Body as unknown as AsyncIterable<Uint8Array>, length, uri, out.ContentLength);
      if (bytes.byteLength !== length) throw wrongRange(uri, offset, length, out.ContentRange);
      return bytes;
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      const status = httpStatus(e);
      if (status === 404) throw new CatalogError('ERR_STORAGE', `no such object: ${uri}`);
      if (status === 416) throw rangePastEnd(uri, offset, length);
      throw storageError(length === 0 ? 'HeadObject' : 'GetObject', uri, e);
    }
  }

  /** A HEAD request per call: too slow to run on every table load. */
  existsIsCheap(): boolean {
    return false;
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (e) {
      if (httpStatus(e) === 404) return false;
      throw storageError('HeadObject', uri, e);
    }
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = this.objectLocation(uri);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if (httpStatus(e) === 404) return;
      throw storageError('DeleteObject', uri, e);
    }
  }

  /** DeleteObjects, 1000 keys a request (s3-delete-objects.ts); every URI checked against the profile's bucket first. */
  async deleteMany(uris: readonly string[]): Promise<DeleteManyResult> {
    const keys: KeyToDelete[] = [];
    const refused: DeleteFailure[] = [];
    const seen = new Set<string>();
    for (const uri of uris) {
      if (seen.has(uri)) continue;
      seen.add(uri);
      try {
        keys.push({ key: this.objectLocation(uri).key, uri });
      } catch (e) {
        refused.push(deleteFailure(uri, e));
      }
    }
    const result = await deleteObjects(this.client, this.options.bucket, keys);
    // DeleteObjects answers "Deleted" for a key that was not there too: the caller that must tell lists first (delete-files.ts).
    return { deleted: result.deleted, missing: [], failed: [...refused, ...result.failed] };
  }

  async deletePrefix(prefix: string): Promise<number> {
    const location = this.inBucket(prefix, parseS3Location(prefix));
    // Always a directory prefix: deleting under s3://b/wh/t1 must not touch s3://b/wh/t10.
    const keyPrefix = directoryPrefix(location.key);
    if (keyPrefix === '') throw new CatalogError('ERR_VALIDATION', `refusing to delete a whole bucket: ${prefix}`);
    let deleted = 0;
    let token: string | undefined;
    do {
      let keys: string[];
      try {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: location.bucket, Prefix: keyPrefix, MaxKeys: DELETE_BATCH, ContinuationToken: token }),
        );
        keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => typeof k === 'string');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } catch (e) {
        throw storageError('ListObjectsV2', prefix, e);
      }
      if (keys.length === 0) continue;
      const result = await deleteObjects(
        this.client,
        location.bucket,
        keys.map((key) => ({ key, uri: key })),
      );
      deleted += result.deleted.length;
      // What could not be deleted stays, and the purge fails with the count: the caller keeps its record and retries.
      if (result.failed.length > 0) {
        throw new CatalogError(
          'ERR_STORAGE',
          `S3 DeleteObjects under ${prefix} failed for ${result.failed.length} object(s) (${deleted} deleted): ${result.failed[0]!.code}`,
        );
      }
    } while (token);
    return deleted;
  }

  /** Releases the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private objectLocation(uri: string): { bucket: string; key: string } {
    const location = this.inBucket(uri, parseS3Location(uri));
    if (location.key === '' || location.key.endsWith('/')) throw new CatalogError('ERR_VALIDATION', `not an S3 object location: ${uri}`);
    return location;
  }

  /** Defence in depth below the catalog's location checks: the profile's bucket only, whoever asks. */
  async *list(prefix: string): AsyncGenerator<StoredObject> {
    const location = this.inBucket(prefix, parseS3Location(prefix));
    const keyPrefix = directoryPrefix(location.key);
    if (keyPrefix === '') throw new CatalogError('ERR_VALIDATION', `refusing to list a whole bucket: ${prefix}`);
    const scheme = prefix.slice(0, prefix.indexOf('://'));
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: keyPrefix, ContinuationToken: token }));
      } catch (e) {
        throw storageError('ListObjectsV2', prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (typeof o.Key === 'string')
          yield {
            uri: `${scheme}://${location.bucket}/${o.Key}`,
            bytes: Number(o.Size ?? 0),
            lastModifiedMs: o.LastModified?.getTime() ?? Number.MAX_SAFE_INTEGER,
          };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private inBucket<L extends { bucket: string }>(uri: string, location: L): L {
    if (location.bucket !== this.options.bucket) throw new CatalogError('ERR_VALIDATION', `location ${uri} is not in bucket ${this.options.bucket}`);
    return location;
  }
}

const httpStatus = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/**
 * ERR_STORAGE naming the operation, the URI and the S3 error code. The cause is a plain Error
 * holding only the error's name and message: SDK errors carry extra fields from the response
 * (AWSAccessKeyId, StringToSign, ...) that must not reach a log.
 */
function storageError(operation: string, uri: string, e: unknown): CatalogError {
  const name = e instanceof Error ? e.name : 'Error';
  const status = httpStatus(e);
  const cause = new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
  return new CatalogError('ERR_STORAGE', `S3 ${operation} ${uri} failed: ${name}${status ? ` (HTTP ${status})` : ''}`, { cause });
}
