/**
 * The object storage port: what the catalog needs of a store (metadata files, purges, maintenance deletes and
 * listings). Adapters live in storage/ (one per kind); catalog/ports/index.ts re-exports these types.
 */
/** Object storage as the catalog needs it: metadata files and purges. */
export interface ObjectStorage {
  /** True when this adapter serves the URI's scheme. */
  handles(uri: string): boolean;
  /** Writes a new object; fails with ERR_STORAGE if it exists already. Atomic: readers see all of it or nothing. */
  writeNew(uri: string, data: Uint8Array): Promise<void>;
  /**
   * The object's bytes. Never holds more than `maxBytes` in memory: a larger object fails with
   * ERR_PAYLOAD_TOO_LARGE (before its body is read when the store tells its size), a missing one with ERR_STORAGE.
   */
  read(uri: string, maxBytes: number): Promise<Uint8Array>;
  /**
   * `length` bytes of the object from byte `offset`, in one ranged request where the store has them (a Puffin file's
   * deletion vector: its manifest entry's content offset and size, never the whole file). A `length` above `maxBytes`
   * fails with ERR_PAYLOAD_TOO_LARGE before any request; a range that runs past the object's end with ERR_UNPROCESSABLE
   * (never fewer bytes); an offset or length that is not a non-negative integer with ERR_VALIDATION; a missing object
   * with ERR_STORAGE. A zero length answers no bytes (of an object that is there, the offset at most its size).
   * storage/byte-range.ts holds the checks every adapter shares.
   */
  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array>;
  exists(uri: string): Promise<boolean>;
  /** True when exists() costs no network round trip (a local stat), so it can run on every table load. */
  existsIsCheap(uri: string): boolean;
  /**
   * Deletes one object; no error when it does not exist. Answers false when there was nothing to delete, where the
   * store says so (a file system, GCS, Azure, memory); S3's DeleteObject answers alike either way (undefined).
   */
  delete(uri: string): Promise<boolean | void>;
  /**
   * Deletes many objects, in the store's bulk requests where it has them (S3 DeleteObjects: up to 1000 keys a request, a
   * few requests at a time), else one request per object, a bounded number at once. Any number of URIs, each checked
   * as delete() checks it (the profile's own bucket or container): one it refuses is failed, never sent. Answers for
   * every URI whether it was deleted, was not there (`missing`: never counted as deleted; on S3, whose DeleteObjects
   * answers "deleted" for a missing key too, only what a listing before the delete did not find) or failed, with why:
   * an object the store refused or a request that got no answer is failed. Transient refusals are retried first.
   */
  deleteMany(uris: readonly string[]): Promise<DeleteManyResult>;
  /** Deletes every object under the prefix (a directory-like location). Returns the number of objects deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Every object under the prefix (a directory-like location), a page at a time, with its size and last change
   * (orphan-file removal, catalog/maintenance/). Absent where not built yet (GCS, Azure): that action then refuses.
   */
  list?(prefix: string): AsyncGenerator<StoredObject>;
  /**
   * Streams the object into a new local file, a chunk at a time (policy-enforced files read data files of any size);
   * answers its size. Absent, or ERR_NOT_IMPLEMENTED from a wrapper: read() it whole.
   */
  download?(uri: string, localPath: string): Promise<number>;
  /** Writes a new object from a local file, streamed; ERR_STORAGE if it exists. Absent: writeNew() of its bytes. */
  uploadNew?(uri: string, localPath: string): Promise<void>;
}

/** What deleteMany did: every URI it was given is in exactly one of the three lists. */
export interface DeleteManyResult {
  deleted: string[];
  /** Not there to delete (issue 52: a path resolved otherwise than its writer did ends up here, never in deleted). */
  missing: string[];
  failed: DeleteFailure[];
}

export interface DeleteFailure {
  uri: string;
  /** The store's error code (S3's AccessDenied, SlowDown, ...), or the catalog's (ERR_VALIDATION: not in this storage). */
  code: string;
  /** Names the operation, the URI and the code only: never a credential. */
  message: string;
}

export interface StoredObject {
  uri: string;
  bytes: number;
  lastModifiedMs: number;
}
