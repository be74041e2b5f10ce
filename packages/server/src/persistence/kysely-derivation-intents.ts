/** Derivation intents (catalog/ports/derivation-intents.ts) over SQLite or PostgreSQL, in `lance_derivation_intents` (migration 0033). */
import type { Kysely } from 'kysely';
import type { DerivationIntent, DerivationIntentStore } from '../catalog/ports/derivation-intents.js';
import { type Int, KyselyPendingRows } from './kysely-pending-rows.js';
import type { CatalogDatabase } from './schema.js';

interface Row {
  id: string;
  warehouse: string;
  table_id: string;
  table_uuid: string;
  table_location: string;
  dataset: string;
  side: string;
  created_at: Int;
}

export class KyselyDerivationIntents extends KyselyPendingRows<DerivationIntent, Row> implements DerivationIntentStore {
  constructor(db: Kysely<CatalogDatabase>) {
    super(
      db,
      'lance_derivation_intents',
      (i) => ({
        id: i.id,
        warehouse: i.warehouse,
        table_id: i.tableId,
        table_uuid: i.tableUuid,
        table_location: i.tableLocation,
        dataset: i.dataset,
        side: i.side,
        created_at: i.createdAtMs,
      }),
      (r) => ({
        id: r.id,
        warehouse: r.warehouse,
        tableId: r.table_id,
        tableUuid: r.table_uuid,
        tableLocation: r.table_location,
        dataset: r.dataset,
        side: r.side,
        createdAtMs: Number(r.created_at),
      }),
    );
  }
}
