/**
 * Dropped objects (catalog/ports/maintenance.ts) over SQLite or PostgreSQL. A soft drop deletes the live row (by its
 * catalog id, so a concurrent drop-and-create under the name is never taken instead) and inserts its copy here in one
 * transaction; a restore does the reverse, the insert into catalog_objects guarded by its primary key (warehouse,
 * namespace, name), so a name taken meanwhile answers 'exists' and nothing moves. Both fire the listing triggers of
 * migration 0011 like any other insert or delete of catalog_objects, so cached listings see the change.
 */
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { KyselyRecords } from './kysely-records.js';
import type { Kysely, Transaction } from 'kysely';
import type { CatalogObjectRecord } from '../catalog/ports/index.js';
import type { DroppedObjectRecord, DroppedObjectStore, RestoreOutcome } from '../catalog/ports/maintenance.js';
import { isUniqueViolation } from './kysely-repository.js';
import type { CatalogDatabase } from './schema.js';
import { KyselyDroppedRows } from './kysely-dropped-rows.js';
import { type DroppedDb, type DroppedRow, moveToDropped } from './kysely-soft-drop.js';
import { objectFromRow, objectRow } from './object-rows.js';

type Db = DroppedDb;

export const toRecord = (r: DroppedRow): DroppedObjectRecord => ({
  object: objectFromRow(r, r.metadata),
  droppedAtMs: Number(r.dropped_at),
  expiresAtMs: Number(r.expires_at),
  purge: Number(r.purge) === 1,
  droppedBy: r.dropped_by,
  ...(r.dropped_with !== null && r.dropped_with !== undefined ? { droppedWith: r.dropped_with } : {}),
});

export class KyselyDroppedObjectStore extends KyselyDroppedRows<DroppedObjectRecord, DroppedRow> implements DroppedObjectStore {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    super(db, 'dropped_objects', toRecord);
    this.db = db.withTables<{ dropped_objects: DroppedRow }>() as unknown as Db;
  }

  /** The move and its change events (catalog/outbox/) commit together: a drop that did not happen has no event. */
  softDrop(record: DroppedObjectRecord, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await moveToDropped(trx as unknown as Kysely<CatalogDatabase>, record))) return false;
      if (events.length > 0) await new TransactionEvents(trx as unknown as Kysely<CatalogDatabase>).appendEvents(events);
      return true;
    });
  }

  restore(
    warehouse: string,
    id: string,
    to: { namespace: string[]; name: string },
    nowMs: number,
    events: readonly OutboxEventInput[] = [],
  ): Promise<RestoreOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('dropped_objects').selectAll().where('warehouse', '=', warehouse).where('id', '=', id).executeTakeFirst();
      if (row === undefined) return 'missing';
      const object = { ...toRecord(row).object, namespace: to.namespace, name: to.name, updatedAtMs: nowMs };
      if (!(await insertLive(trx, object))) return 'exists';
      await trx.deleteFrom('dropped_objects').where('id', '=', id).execute();
      if (events.length > 0) await new TransactionEvents(trx as unknown as Kysely<CatalogDatabase>).appendEvents(events);
      return 'restored';
    });
  }
}

/** Inserts the live row; false when its name is taken (no row inserted). */
export async function insertLive(
  trx: Transaction<{ dropped_objects: DroppedRow } & Pick<CatalogDatabase, 'catalog_objects'>>,
  object: CatalogObjectRecord,
): Promise<boolean> {
  try {
    const res = await trx
      .insertInto('catalog_objects')
      .values(objectRow(object))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

/** The outbox writer of a transaction: the one path (KyselyRecords.appendEvents) every change's events take. */
class TransactionEvents extends KyselyRecords {}
