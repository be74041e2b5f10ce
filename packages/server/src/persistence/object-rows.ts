/**
 * The one mapping between a catalog object (CatalogObjectRecord) and its columns. The live objects
 * (catalog_objects, kysely-repository.ts) and the dropped ones (dropped_objects, migration 0018: the live columns
 * plus the drop's, kysely-soft-drop.ts and kysely-dropped.ts) share it, so a column added to one is not forgotten
 * in the other.
 */
import type { Selectable } from 'kysely';
import type { CatalogObjectRecord, ObjectKind } from '../catalog/ports/index.js';
import { type CatalogObjectsTable, decodeNamespace, encodeNamespace } from './schema.js';
import type { ReadCaches } from './read-caches.js';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

/** A catalog object's columns as read back, without `metadata` (the metadata cache may hold the JSON instead). */
export type ObjectColumns = Omit<Selectable<CatalogObjectsTable>, 'metadata'> & { labels?: string | null };

/** The columns to write for a catalog object. */
export const objectRow = (o: CatalogObjectRecord) => ({
  id: o.id,
  warehouse: o.warehouse,
  namespace: encodeNamespace(o.namespace),
  name: o.name,
  kind: o.kind,
  uuid: o.uuid,
  location: o.location,
  metadata_location: o.metadataLocation,
  metadata: o.metadataJson,
  created_at: o.createdAtMs,
  updated_at: o.updatedAtMs,
  location_owned: o.locationOwned ? 1 : 0,
});

/**
 * `metadata` apart from the row when the JSON is not the row's own (the metadata cache's copy): passed
 * in, not spread into a copy of the row, because a `{ ...row, metadata }` literal is a slow path of
 * V8's (several hundred nanoseconds per object, measured on Node 20) on every load.
 */
export const objectFromRow = (r: ObjectColumns, metadata: string): CatalogObjectRecord => ({
  id: r.id,
  warehouse: r.warehouse,
  namespace: decodeNamespace(r.namespace),
  name: r.name,
  kind: r.kind as ObjectKind,
  uuid: r.uuid,
  location: r.location,
  metadataLocation: r.metadata_location,
  metadataJson: metadata,
  createdAtMs: num(r.created_at),
  updatedAtMs: num(r.updated_at),
  locationOwned: num(r.location_owned) === 1,
  // Every record has the property (one shape for V8); undefined when the object has no labels row.
  labelsJson: r.labels ?? undefined,
});

/** objectKnown's answer when the row came without its metadata JSON and none is kept for it: read the whole row. */
export const WHOLE_ROW = Symbol('whole row');

/** The object from getObjectKnown's row (keeping its metadata JSON when the row brought it), or WHOLE_ROW. */
export function objectKnown(
  caches: ReadCaches,
  key: string,
  known: { json: string } | undefined,
  row: (ObjectColumns & { metadata: string | null }) | undefined,
): CatalogObjectRecord | undefined | typeof WHOLE_ROW {
  if (row === undefined) {
    caches.metadata.delete(key);
    return undefined;
  }
  if (row.metadata !== null) {
    caches.metadata.set(key, { id: row.id, metadataLocation: row.metadata_location, json: row.metadata });
    return objectFromRow(row, row.metadata);
  }
  return known === undefined ? WHOLE_ROW : objectFromRow(row, known.json);
}
