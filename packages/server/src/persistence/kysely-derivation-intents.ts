/** Derivation intents (catalog/ports/derivation-intents.ts) over SQLite or PostgreSQL, in `lance_derivation_intents` (migration 0033). */
import type { Kysely } from 'kysely';
import type { DerivationIntent, DerivationIntentStore } from '../catalog/ports/derivation-intents.js';
import type { CatalogDatabase } from './schema.js';

type Int = number | string | bigint;
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
type Tables = { lance_derivation_intents: Row };
type Db = Kysely<Tables>;

export class KyselyDerivationIntents implements DerivationIntentStore {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    this.db = db.withTables<Tables>() as unknown as Db;
  }

  async add(i: DerivationIntent): Promise<void> {
    await this.db
      .insertInto('lance_derivation_intents')
      .values({
        id: i.id,
        warehouse: i.warehouse,
        table_id: i.tableId,
        table_uuid: i.tableUuid,
        table_location: i.tableLocation,
        dataset: i.dataset,
        side: i.side,
        created_at: i.createdAtMs,
      })
      .execute();
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('lance_derivation_intents').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async pending(beforeMs: number, limit: number): Promise<DerivationIntent[]> {
    const rows = await this.db
      .selectFrom('lance_derivation_intents')
      .selectAll()
      .where('created_at', '<', beforeMs)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      warehouse: r.warehouse,
      tableId: r.table_id,
      tableUuid: r.table_uuid,
      tableLocation: r.table_location,
      dataset: r.dataset,
      side: r.side,
      createdAtMs: Number(r.created_at),
    }));
  }
}
