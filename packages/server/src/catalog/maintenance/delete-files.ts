/**
 * Deleting a job's files (those only expired snapshots reached, and orphans) through the storage's bulk delete
 * (ObjectStorage.deleteMany: on S3 one DeleteObjects request per DELETE_CHUNK files), DELETE_CALLS chunks at once, the
 * job's progress counted as each chunk ends. The caller passes only files under the table's own location (checked per
 * file: ReachableFiles.add, isPurgeable), and the storage checks each against its own bucket or container again.
 * A file the store could not delete is reported failed with its reason, never counted as deleted, and left: after an
 * expiry no metadata reaches it any more, so a later orphan removal finds and deletes it; an orphan is found again.
 * A file that was not there is reported missing, never counted as deleted (issue 52: a job that read a path otherwise
 * than its writer wrote it reported deletions that did not happen). S3's DeleteObjects answers "deleted" for a
 * missing key too, so on a store without a cheap existence check the table's location is listed once first, and a
 * file the listing did not find is missing and not sent.
 */
import { forEachBounded } from '../bounded.js';
import { normalizeLocation } from '../locations.js';
import type { ObjectStorage } from '../ports/index.js';
import type { JobProgress } from './progress.js';
import type { DeletableFile } from './reachable-files.js';

/** Files per deleteMany call: S3's DeleteObjects limit, so each call is one request there. */
export const DELETE_CHUNK = 1000;
/** deleteMany calls in flight at once. */
export const DELETE_CALLS = 4;

export interface FailedFile extends DeletableFile {
  /** The store's error code and message (never a credential: adapters write them so). */
  error: string;
}

export interface DeleteOutcome {
  deleted: DeletableFile[];
  /** Not there to delete: neither deleted nor failed. */
  missing: DeletableFile[];
  failed: FailedFile[];
}

export interface DeleteOptions {
  /** The table's location: listed first where deleteMany cannot tell a missing object (see above). */
  location?: string;
  /** The files are known to exist (just listed): no listing first. */
  listed?: boolean;
  /**
   * Aborted when the job lost its table lease (lease-keeper.ts): no further chunk is sent, and the deletion rejects
   * with the signal's reason once the chunks in flight end. What was not deleted is left for the next run (after an
   * expiry no metadata reaches those files, so orphan removal finds them).
   */
  signal?: AbortSignal | undefined;
}

export async function deleteFiles(
  storage: ObjectStorage,
  files: readonly DeletableFile[],
  progress: JobProgress,
  options: DeleteOptions = {},
): Promise<DeleteOutcome> {
  options.signal?.throwIfAborted();
  const absent = new Set<string>();
  let toDelete = files;
  if (!options.listed && options.location !== undefined && files.length > 0 && !storage.existsIsCheap(options.location) && storage.list) {
    const present = new Set<string>();
    for await (const o of storage.list(options.location)) present.add(keyOf(o.uri));
    toDelete = files.filter((f) => {
      if (present.has(keyOf(f.path))) return true;
      absent.add(f.path);
      return false;
    });
  }
  const chunks: DeletableFile[][] = [];
  for (let i = 0; i < toDelete.length; i += DELETE_CHUNK) chunks.push(toDelete.slice(i, i + DELETE_CHUNK));
  const gone = new Set<string>();
  const failed = new Map<string, string>();
  await forEachBounded(
    chunks,
    async (chunk) => {
      options.signal?.throwIfAborted();
      const result = await storage.deleteMany(chunk.map((f) => f.path));
      for (const uri of result.deleted) gone.add(uri);
      for (const uri of result.missing) absent.add(uri);
      for (const f of result.failed) failed.set(f.uri, `${f.code}: ${f.message}`);
      let bytes = 0;
      let n = 0;
      for (const f of chunk) {
        if (gone.has(f.path)) {
          n += 1;
          bytes += f.bytes;
        }
      }
      await progress.deletedMany(n, bytes, result.failed.length);
    },
    DELETE_CALLS,
  );
  const out: DeleteOutcome = { deleted: [], missing: [], failed: [] };
  for (const f of files) {
    if (gone.has(f.path)) out.deleted.push(f);
    else if (absent.has(f.path)) out.missing.push(f);
    // A URI the storage answered for in no list counts as failed: only what it says is gone is.
    else out.failed.push({ ...f, error: failed.get(f.path) ?? 'ERR_STORAGE: the storage did not report this file deleted' });
  }
  return out;
}

function keyOf(uri: string): string {
  try {
    return normalizeLocation(uri);
  } catch {
    return uri;
  }
}
