/**
 * Catalog-supplied labels (catalog/ports/labels.ts) in the catalog database (table object_labels, migration 0026).
 * loadTable and loadView do not read them through here: the object's row query reads them by a primary-key subquery
 * (kysely-repository.ts), so a load costs no extra round trip, with or without labels.
 */
import type { Kysely } from 'kysely';
import type { LabelStore } from '../catalog/ports/labels.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import type { CatalogDatabase } from './schema.js';
import { appendOutboxEvents } from './kysely-outbox.js';

export class KyselyLabels implements LabelStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async get(objectId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('object_labels').select('labels').where('object_id', '=', objectId).executeTakeFirst();
    return row?.labels;
  }

  /** The labels and their change event in one transaction, the event last. */
  async put(objectId: string, labelsJson: string | undefined, updatedAtMs: number, events: readonly OutboxEventInput[] = []): Promise<void> {
    const run = async (db: Kysely<CatalogDatabase>) => {
      if (labelsJson === undefined) await db.deleteFrom('object_labels').where('object_id', '=', objectId).execute();
      else
        await db
          .insertInto('object_labels')
          .values({ object_id: objectId, labels: labelsJson, labels_updated_at: updatedAtMs })
          .onConflict((oc) => oc.column('object_id').doUpdateSet({ labels: labelsJson, labels_updated_at: updatedAtMs }))
          .execute();
      if (events.length > 0) await appendOutboxEvents(db, events);
    };
    await (this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run));
  }
}
