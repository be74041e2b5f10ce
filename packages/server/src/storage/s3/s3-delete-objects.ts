/**
 * Bulk deletion on S3 (ObjectStorage.deleteMany, and deletePrefix's pages): DeleteObjects with up to 1000 keys a
 * request, S3_DELETE_CONCURRENCY requests at once, as Iceberg's S3FileIO deletes. S3 requires a checksum of the
 * request's body (Content-MD5 or an x-amz-checksum-* header; MinIO and most S3 compatibles too): the SDK's model marks
 * DeleteObjects as requiring one, so its flexible checksums compute a CRC32 even with requestChecksumCalculation set
 * to WHEN_REQUIRED (test/interop/minio.test.ts proves it against the real MinIO).
 * DeleteObjects answers per key (Quiet mode: the failures only). A key refused with a transient code (InternalError,
 * SlowDown, ServiceUnavailable, ...) is sent again, up to DELETE_ATTEMPTS times in all with backoff; what still fails,
 * and every key of a request that got no answer once the SDK's own retries were spent, is reported failed with its
 * code, never counted as deleted. A missing key is deleted (S3 says so itself; NoSuchKey from a compatible too).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { forEachBounded } from '../../catalog/bounded.js';
import type { DeleteFailure, DeleteManyResult } from '../../catalog/ports/index.js';

/** DeleteObjects accepts at most this many keys per request. */
export const DELETE_BATCH = 1000;
/** DeleteObjects requests in flight at once (4 × 1000 keys; the SDK's default agent allows 50 sockets). */
export const S3_DELETE_CONCURRENCY = 4;
const DELETE_ATTEMPTS = 3;
const TRANSIENT = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'OperationAborted', 'InternalServerError']);

export interface KeyToDelete {
  key: string;
  /** How the caller named it (reported back as it was given). */
  uri: string;
}

/** Deletes the keys of one bucket (any number), batched; every key ends in exactly one of the result's lists. */
export async function deleteObjects(client: S3Client, bucket: string, keys: readonly KeyToDelete[], retryDelayMs = 200): Promise<DeleteManyResult> {
  const deleted: string[] = [];
  const failed: DeleteFailure[] = [];
  const batches: KeyToDelete[][] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) batches.push(keys.slice(i, i + DELETE_BATCH));
  await forEachBounded(
    batches,
    async (batch) => {
      let pending = batch;
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        const refused = await deleteBatch(client, bucket, pending);
        const retry: KeyToDelete[] = [];
        for (const k of pending) {
          const failure = refused.get(k.key);
          if (failure === undefined) deleted.push(k.uri);
          else if (TRANSIENT.has(failure.code) && attempt < DELETE_ATTEMPTS) retry.push(k);
          else failed.push({ uri: k.uri, code: failure.code, message: `S3 DeleteObjects ${k.uri} failed: ${failure.code}` });
        }
        pending = retry;
        if (pending.length > 0) await sleep(retryDelayMs * attempt);
      }
    },
    S3_DELETE_CONCURRENCY,
  );
  // DeleteObjects answers "Deleted" for a missing key too: it cannot tell one (delete-files.ts lists first).
  return { deleted, missing: [], failed };
}

/** One DeleteObjects request: the refused keys with their codes (every key of it when the request itself failed). */
async function deleteBatch(client: S3Client, bucket: string, batch: readonly KeyToDelete[]): Promise<Map<string, { code: string }>> {
  const refused = new Map<string, { code: string }>();
  try {
    const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((k) => ({ Key: k.key })), Quiet: true } }));
    for (const e of out.Errors ?? []) {
      if (e.Key === undefined || e.Code === 'NoSuchKey') continue;
      refused.set(e.Key, { code: e.Code ?? 'UnknownError' });
    }
  } catch (e) {
    // Only the error's name and HTTP status: SDK errors carry response fields that must not reach a log.
    const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    const code = `${e instanceof Error ? e.name : 'Error'}${status ? ` (HTTP ${status})` : ''}`;
    for (const k of batch) refused.set(k.key, { code });
  }
  return refused;
}
