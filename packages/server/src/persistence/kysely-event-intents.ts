/**
 * Event intents (catalog/outbox/intent-ports.ts) over SQLite or PostgreSQL, in `event_intents` (migration 0019).
 * Publishing deletes the row and appends its events in one transaction; only the transaction that deleted the row
 * appends (a concurrent publish or drop of the same intent deletes nothing and appends nothing), so an intent's
 * events are in the outbox at most once, and the outbox's own rules (counter row last) apply unchanged.
 */
import type { Kysely } from 'kysely';
import type { EventIntent, EventIntentStore, ExternalWrite } from '../catalog/outbox/intent-ports.js';
import type { OutboxEventInput } from '../catalog/outbox/ports.js';
import { parseJson, stringifyJson } from '../catalog/json.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import type { CatalogDatabase } from './schema.js';

type IntentTables = { event_intents: { id: string; created_at: number | string | bigint; events: string; writes: string } };
type Db = Kysely<IntentTables>;
const tablesOf = (db: Kysely<CatalogDatabase>): Db => db.withTables<IntentTables>() as unknown as Db;

export class KyselyEventIntents implements EventIntentStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async saveIntent(intent: EventIntent): Promise<void> {
    const row = { id: intent.id, created_at: intent.createdAtMs, events: stringifyJson(intent.events), writes: JSON.stringify(intent.writes) };
    await tablesOf(this.db)
      .insertInto('event_intents')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ events: row.events, writes: row.writes }))
      .execute();
  }

  publishIntent(id: string, events: readonly OutboxEventInput[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await tablesOf(trx).deleteFrom('event_intents').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) return false;
      if (events.length > 0) await appendOutboxEvents(trx, events);
      return true;
    });
  }

  async dropIntent(id: string): Promise<boolean> {
    const res = await tablesOf(this.db).deleteFrom('event_intents').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async pendingIntents(beforeMs: number, limit: number): Promise<EventIntent[]> {
    const rows = await tablesOf(this.db).selectFrom('event_intents').selectAll().where('created_at', '<', beforeMs).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      createdAtMs: Number(r.created_at),
      // Exact: event data may hold 64-bit snapshot ids (catalog/json.ts).
      events: parseJson(r.events) as OutboxEventInput[],
      writes: JSON.parse(r.writes) as ExternalWrite[],
    }));
  }
}
