/**
 * Derivation intents (catalog/ports/derivation-intents.ts) over SQLite or PostgreSQL, in `lance_derivation_intents`
 * (migration 0033; `attempted_at`, the sweep's last attempt, migration 0034). Added and removed as every pending
 * table's rows (kysely-pending-rows.ts); listed by last attempt, never-tried first, so failing ones rotate to the back.
 */
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
  attempted_at: Int | null;
}

const TABLE = 'lance_derivation_intents';

export class KyselyDerivationIntents extends KyselyPendingRows<DerivationIntent, Row> implements DerivationIntentStore {
  private readonly rows: Kysely<{ lance_derivation_intents: Row }>;

  constructor(db: Kysely<CatalogDatabase>) {
    super(
      db,
      TABLE,
      (i) => ({
        id: i.id,
        warehouse: i.warehouse,
        table_id: i.tableId,
        table_uuid: i.tableUuid,
        table_location: i.tableLocation,
        dataset: i.dataset,
        side: i.side,
        created_at: i.createdAtMs,
        attempted_at: i.attemptedAtMs ?? null,
      }),
      fromRow,
    );
    this.rows = db.withTables<{ lance_derivation_intents: Row }>() as unknown as Kysely<{ lance_derivation_intents: Row }>;
  }

  /** Never tried first (NULLS FIRST: PostgreSQL sorts them last by default), then the least recently tried, ties oldest first, then by id. */
  override async pending(beforeMs: number, limit: number): Promise<DerivationIntent[]> {
    const rows = await this.rows
      .selectFrom(TABLE)
      .selectAll()
      .where('created_at', '<', beforeMs)
      .orderBy('attempted_at', (o) => o.asc().nullsFirst())
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async attempted(id: string, atMs: number): Promise<void> {
    await this.rows.updateTable(TABLE).set({ attempted_at: atMs }).where('id', '=', id).execute();
  }
}

function fromRow(r: Row): DerivationIntent {
  return {
    id: r.id,
    warehouse: r.warehouse,
    tableId: r.table_id,
    tableUuid: r.table_uuid,
    tableLocation: r.table_location,
    dataset: r.dataset,
    side: r.side,
    createdAtMs: Number(r.created_at),
    ...(r.attempted_at === null || r.attempted_at === undefined ? {} : { attemptedAtMs: Number(r.attempted_at) }),
  };
}
