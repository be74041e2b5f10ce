/**
 * The one move of a live object to the dropped objects (migration 0018), in the caller's transaction: the live row is
 * deleted by its catalog id (a concurrent drop-and-create under the name is never taken instead) and its copy
 * inserted into dropped_objects. A single soft drop (kysely-dropped.ts) and a cascading namespace drop
 * (CatalogRepository.softDropObject, inside the drop's transaction) both move objects this way.
 */
import type { Kysely } from 'kysely';
import type { DroppedObjectRecord } from '../catalog/maintenance/ports.js';
import { type ObjectColumns, objectRow } from './object-rows.js';
import { type CatalogDatabase, encodeNamespace } from './schema.js';

type Num = number | string | bigint;
/** A dropped_objects row: the live columns (metadata included) and the drop's. */
export interface DroppedRow extends ObjectColumns {
  metadata: string;
  dropped_at: Num;
  expires_at: Num;
  purge: Num;
  dropped_by: string;
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
  await trx.insertInto('dropped_objects').values({ ...objectRow(o), dropped_at: record.droppedAtMs, expires_at: record.expiresAtMs, purge: record.purge ? 1 : 0, dropped_by: record.droppedBy }).execute();
  return true;
}
