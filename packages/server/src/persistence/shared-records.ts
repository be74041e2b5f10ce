/**
 * getObjectSync's records (the sign path reads its table on every storage request of an engine), made once per kept
 * row: the SQLite read memo (sqlite/read-memo.ts) answers a repeated read with the very same frozen row object while
 * the database file has not changed, and a record is a pure function of its row and metadata JSON, so the record
 * made of that row and JSON before is the same record. Kept by row object (a WeakMap: it goes with the row) and
 * checked against the JSON; frozen, as callers share it (CatalogRepository.getObjectSync says so).
 */
import type { CatalogObjectRecord } from '../catalog/ports.js';
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
