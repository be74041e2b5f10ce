/**
 * Dropped namespaces (catalog/ports/maintenance.ts, migration 0021) over SQLite or PostgreSQL. A soft cascading drop
 * moves each namespace row from `namespaces` to `dropped_namespaces` in the drop's transaction (moveNamespaceToDropped,
 * by id and name, so a namespace dropped and created again meanwhile is never taken instead); an undrop moves the
 * namespace, the namespaces and objects dropped with it under it, back in one transaction, the top one's insert
 * guarded by the primary key of `namespaces` (a name taken meanwhile answers 'exists' and nothing moves). Inserts and
 * deletes of both live tables fire the listing triggers of migration 0011, so cached listings see the change.
 */
import type { Kysely, Transaction } from 'kysely';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import type { DroppedNamespaceGroup, DroppedNamespaceRecord, DroppedNamespaceStore, NamespaceRestoreOutcome } from '../catalog/ports/maintenance.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import { insertLive, toRecord as toObjectRecord } from './kysely-dropped.js';
import { KyselyDroppedRows } from './kysely-dropped-rows.js';
import {
  type DroppedNamespaceRow,
  type DroppedNamespacesDb as Db,
  droppedNamespaceTables as tables,
  isAtOrUnder,
  renamedLevels as renamed,
  toDroppedNamespace as toRecord,
} from './kysely-soft-drop.js';
import { type CatalogDatabase, decodeNamespace, encodeNamespace } from './schema.js';

/** Thrown inside the restore's transaction to roll it back when a name below the top one is taken (a race). */
class Taken extends Error {}

export class KyselyDroppedNamespaceStore extends KyselyDroppedRows<DroppedNamespaceRecord, DroppedNamespaceRow> implements DroppedNamespaceStore {
  private readonly db: Db;

  constructor(raw: Kysely<CatalogDatabase>) {
    super(raw, 'dropped_namespaces', toRecord);
    this.db = tables(raw);
  }

  group(warehouse: string, id: string): Promise<DroppedNamespaceGroup | undefined> {
    return readGroup(this.db, warehouse, id);
  }

  async restore(
    warehouse: string,
    id: string,
    to: string[],
    nowMs: number,
    events?: (restored: DroppedNamespaceGroup) => readonly OutboxEventInput[],
  ): Promise<NamespaceRestoreOutcome> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const group = await readGroup(trx, warehouse, id);
        if (group === undefined) return { outcome: 'missing' } as const;
        const from = group.namespaces[0]!.namespace.levels;
        if (to.length > 1) {
          const parent = await trx
            .selectFrom('namespaces')
            .select('id')
            .where('warehouse', '=', warehouse)
            .where('name', '=', encodeNamespace(to.slice(0, -1)))
            .executeTakeFirst();
          if (parent === undefined) return { outcome: 'no-parent' } as const;
        }
        const created = await trx
          .selectFrom('dropped_namespaces')
          .select(['id', 'created_at'])
          .where('warehouse', '=', warehouse)
          .where('dropped_with', '=', group.namespaces[0]!.droppedWith)
          .execute();
        const createdAt = new Map(created.map((r) => [r.id, r.created_at]));
        for (const [i, d] of group.namespaces.entries()) {
          const levels = renamed(d.namespace.levels, from, to);
          const res = await trx
            .insertInto('namespaces')
            .values({
              id: d.namespace.id,
              warehouse,
              name: encodeNamespace(levels),
              parent: encodeNamespace(levels.slice(0, -1)),
              properties: JSON.stringify(d.namespace.properties),
              created_at: Number(createdAt.get(d.namespace.id) ?? nowMs),
            })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          if (Number(res.numInsertedOrUpdatedRows ?? 0n) !== 1) {
            if (i === 0) return { outcome: 'exists' } as const;
            throw new Taken();
          }
        }
        for (const o of group.objects) {
          if (
            !(await insertLive(trx as unknown as Parameters<typeof insertLive>[0], {
              ...o.object,
              namespace: renamed(o.object.namespace, from, to),
              updatedAtMs: nowMs,
            }))
          )
            throw new Taken();
        }
        const ids = group.namespaces.map((n) => n.namespace.id);
        await trx.deleteFrom('dropped_namespaces').where('warehouse', '=', warehouse).where('id', 'in', ids).execute();
        const objectIds = group.objects.map((o) => o.object.id);
        if (objectIds.length > 0) await trx.deleteFrom('dropped_objects').where('warehouse', '=', warehouse).where('id', 'in', objectIds).execute();
        const inputs = events?.(group) ?? [];
        if (inputs.length > 0) await appendOutboxEvents(trx as unknown as Kysely<CatalogDatabase>, inputs);
        return { outcome: 'restored', restored: group } as const;
      });
    } catch (e) {
      if (e instanceof Taken) return { outcome: 'exists' };
      throw e;
    }
  }
}

/** The namespace `id` and what its drop took at or under it, shallowest namespace first (a parent before its children). */
async function readGroup(db: Db | Transaction<any>, warehouse: string, id: string): Promise<DroppedNamespaceGroup | undefined> {
  const d = db as Db;
  const top = await d.selectFrom('dropped_namespaces').selectAll().where('warehouse', '=', warehouse).where('id', '=', id).executeTakeFirst();
  if (top === undefined) return undefined;
  const levels = decodeNamespace(top.name);
  // A cascade's rows, filtered by level here: a cascade is one drop's worth, and a LIKE on names would have to escape % and _.
  const namespaces = (
    await d.selectFrom('dropped_namespaces').selectAll().where('warehouse', '=', warehouse).where('dropped_with', '=', top.dropped_with).execute()
  )
    .map(toRecord)
    .filter((n) => isAtOrUnder(n.namespace.levels, levels))
    .sort((a, b) => a.namespace.levels.length - b.namespace.levels.length || (a.namespace.id < b.namespace.id ? -1 : 1));
  const objects = (
    await d.selectFrom('dropped_objects').selectAll().where('warehouse', '=', warehouse).where('dropped_with', '=', top.dropped_with).orderBy('id').execute()
  )
    .map(toObjectRecord)
    .filter((o) => isAtOrUnder(o.object.namespace, levels));
  return { namespaces, objects };
}
