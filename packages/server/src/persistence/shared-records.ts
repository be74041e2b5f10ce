/**
 * getObjectSync's records (the sign path reads its table on every storage request of an engine), made once per kept
 * row: the SQLite read memo (sqlite/read-memo.ts) answers a repeated read with the very same frozen row object while
 * the database file has not changed, and a record is a pure function of its row and metadata JSON, so the record
 * made of that row and JSON before is the same record. Kept by row object (a WeakMap: it goes with the row) and
 * checked against the JSON; frozen, as callers share it (CatalogRepository.getObjectSync says so).
 */
import type { CatalogObjectRecord } from '../catalog/ports/index.js';
import { BoundedMap } from '../catalog/bounded-map.js';
import { type ObjectColumns, objectFromRow } from './object-rows.js';

const made = new WeakMap<object, { json: string; record: CatalogObjectRecord }>();

export function sharedRecord(row: ObjectColumns, json: string): CatalogObjectRecord {
  const kept = made.get(row);
  if (kept !== undefined && kept.json === json) return kept.record;
  const record = objectFromRow(row, json);
  Object.freeze(record.namespace);
  Object.freeze(record);
  // Only rows the memo keeps (frozen) come back as the same object; a fresh row's entry goes with it.
  if (Object.isFrozen(row)) made.set(row, { json, record });
  return record;
}

/** Records kept at most by a SyncObjects (all dropped when full, as the read memo does). */
const MAX_SYNC_OBJECTS = 10_000;

/**
 * getObjectSync's answers by (warehouse, namespace, name), each kept with the store's read version it was read under
 * (ReadRunner.versionNow): while the version is the same, every read answers what it answered, so the record is the
 * one the memo's reads would give again (the same frozen row, the same shared record), without building the read's
 * parameters and key and looking them up. A version read before the record it is kept with: a commit landing in
 * between leaves the record under the older version, which the next call no longer matches.
 */
export class SyncObjects {
  private readonly kept = new BoundedMap<string, { version: number; record: CatalogObjectRecord }>({ maxEntries: MAX_SYNC_OBJECTS });

  get(key: string, version: number): CatalogObjectRecord | undefined {
    const hit = this.kept.get(key);
    return hit !== undefined && hit.version === version ? hit.record : undefined;
  }

  /** Keeps a shared (frozen) record only (others are the caller's own); answers the record given. */
  keep(key: string, version: number, record: CatalogObjectRecord | undefined): CatalogObjectRecord | undefined {
    if (record === undefined || !Object.isFrozen(record)) return record;
    this.kept.set(key, { version, record });
    return record;
  }
}
