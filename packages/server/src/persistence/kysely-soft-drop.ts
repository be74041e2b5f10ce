/**
 * The one move of a live object to the dropped objects (migration 0018), in the caller's transaction: the live row is
 * deleted by its catalog id (a concurrent drop-and-create under the name is never taken instead) and its copy
 * inserted into dropped_objects. A single soft drop (kysely-dropped.ts) and a cascading namespace drop
 * (CatalogRepository.softDropObject, inside the drop's transaction) both move objects this way; the cascade moves its
 * namespaces with moveNamespaceToDropped (migration 0021; restored by kysely-dropped-namespaces.ts).
 */
import type { Kysely } from 'kysely';
import type { DroppedNamespaceRecord, DroppedObjectRecord } from '../catalog/ports/maintenance.js';
import { type ObjectColumns, objectRow } from './object-rows.js';
import { type CatalogDatabase, decodeNamespace, encodeNamespace } from './schema.js';

type Num = number | string | bigint;
/** A dropped_objects row: the live columns (metadata included) and the drop's. */
export interface DroppedRow extends ObjectColumns {
  metadata: string;
  dropped_at: Num;
  expires_at: Num;
  purge: Num;
  dropped_by: string;
  /** Migration 0021: the namespace whose cascading drop took it. */
  dropped_with: string | null;
}
export type DroppedDb = Kysely<{ dropped_objects: DroppedRow } & Pick<CatalogDatabase, 'catalog_objects'>>;

/** False when no such live object exists (dropped or renamed meanwhile): nothing moves. Call it inside a transaction. */
export async function moveToDropped(db: Kysely<CatalogDatabase>, record: DroppedObjectRecord): Promise<boolean> {
  const trx = db.withTables<{ dropped_objects: DroppedRow }>() as unknown as DroppedDb;
  const o = record.object;
  const res = await trx
    .deleteFrom('catalog_objects')
    .where('warehouse', '=', o.warehouse)
    .where('namespace', '=', encodeNamespace(o.namespace))
    .where('name', '=', o.name)
    .where('kind', '=', o.kind)
    .where('id', '=', o.id)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) !== 1) return false;
  await trx
    .insertInto('dropped_objects')
    .values({
      ...objectRow(o),
      dropped_at: record.droppedAtMs,
      expires_at: record.expiresAtMs,
      purge: record.purge ? 1 : 0,
      dropped_by: record.droppedBy,
      dropped_with: record.droppedWith ?? null,
    })
    .execute();
  return true;
}

export interface DroppedNamespaceRow {
  id: string;
  warehouse: string;
  /** Levels joined as in `namespaces.name`. */
  name: string;
  properties: string;
  created_at: Num;
  dropped_at: Num;
  expires_at: Num;
  dropped_by: string;
  dropped_with: string;
}
export type DroppedNamespacesDb = Kysely<
  { dropped_namespaces: DroppedNamespaceRow; dropped_objects: DroppedRow } & Pick<CatalogDatabase, 'namespaces' | 'catalog_objects'>
>;
export const droppedNamespaceTables = (db: Kysely<CatalogDatabase>): DroppedNamespacesDb =>
  db.withTables<{ dropped_namespaces: DroppedNamespaceRow; dropped_objects: DroppedRow }>() as unknown as DroppedNamespacesDb;

export const toDroppedNamespace = (r: DroppedNamespaceRow): DroppedNamespaceRecord => ({
  namespace: { id: r.id, warehouse: r.warehouse, levels: decodeNamespace(r.name), properties: JSON.parse(r.properties) as Record<string, string> },
  droppedAtMs: Number(r.dropped_at),
  expiresAtMs: Number(r.expires_at),
  droppedBy: r.dropped_by,
  droppedWith: r.dropped_with,
});

/** At or under `top` (level by level, never by string prefix: "a.b" is not under "a.bc"). */
export const isAtOrUnder = (levels: readonly string[], top: readonly string[]): boolean => levels.length >= top.length && top.every((l, i) => levels[i] === l);
export const renamedLevels = (levels: readonly string[], from: readonly string[], to: readonly string[]): string[] => [...to, ...levels.slice(from.length)];

/** False when no such live namespace exists (dropped or re-created meanwhile): nothing moves. Call it inside a transaction. */
export async function moveNamespaceToDropped(db: Kysely<CatalogDatabase>, record: DroppedNamespaceRecord): Promise<boolean> {
  const trx = droppedNamespaceTables(db);
  const ns = record.namespace;
  const name = encodeNamespace(ns.levels);
  const row = await trx
    .selectFrom('namespaces')
    .selectAll()
    .where('warehouse', '=', ns.warehouse)
    .where('name', '=', name)
    .where('id', '=', ns.id)
    .executeTakeFirst();
  if (row === undefined) return false;
  await trx.deleteFrom('namespaces').where('warehouse', '=', ns.warehouse).where('name', '=', name).where('id', '=', ns.id).execute();
  await trx
    .insertInto('dropped_namespaces')
    .values({
      id: ns.id,
      warehouse: ns.warehouse,
      name,
      properties: row.properties,
      created_at: row.created_at,
      dropped_at: record.droppedAtMs,
      expires_at: record.expiresAtMs,
      dropped_by: record.droppedBy,
      dropped_with: record.droppedWith,
    })
    .execute();
  return true;
}
