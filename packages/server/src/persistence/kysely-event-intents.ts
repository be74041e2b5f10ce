/**
 * Event intents (catalog/ports/intents.ts) over SQLite or PostgreSQL, in `event_intents` (migration 0019).
 * Recording an intent takes its events' sequence numbers from the stream's counter row, as appending would (so they
 * are in the order of everything else the stream commits), and holds them: the outbox lists a stream only below its
 * lowest held number (kysely-outbox.ts). Publishing deletes the row and inserts the events with the held numbers in
 * one transaction; only the transaction that deleted the row inserts (a concurrent publish or drop of the same
 * intent deletes nothing and inserts nothing), so an intent's events are in the outbox at most once. Dropping leaves
 * its numbers unused: a gap in the stream.
 */
import type { Kysely } from 'kysely';
import type { EventIntent, EventIntentStore, ExternalWrite } from '../catalog/ports/intents.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { parseJson, stringifyJson } from '../catalog/json.js';
import { insertOutboxEvents, reserveSequences } from './kysely-outbox.js';
import type { CatalogDatabase } from './schema.js';

type Int = number | string | bigint;
type IntentTables = { event_intents: { id: string; created_at: Int; events: string; writes: string; stream: string; sequence: Int; count: Int } };
type Db = Kysely<IntentTables>;
const tablesOf = (db: Kysely<CatalogDatabase>): Db => db.withTables<IntentTables>() as unknown as Db;

/** The one stream of an intent's events (a caller's bug otherwise: one change, one stream). */
export function streamOf(events: readonly OutboxEventInput[]): string {
  const streams = new Set(events.map((e) => e.warehouse));
  if (streams.size !== 1) throw new TypeError(`an event intent holds the events of one stream, not ${streams.size}`);
  return events[0]!.warehouse;
}

export class KyselyEventIntents implements EventIntentStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async saveIntent(intent: EventIntent): Promise<void> {
    const stream = streamOf(intent.events);
    const events = stringifyJson(intent.events);
    const writes = JSON.stringify(intent.writes);
    await this.db.transaction().execute(async (trx) => {
      const t = tablesOf(trx);
      const updated = await t.updateTable('event_intents').set({ events, writes }).where('id', '=', intent.id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return;
      // New: its numbers now (the counter row's lock is taken last, as in every outbox write).
      const first = await reserveSequences(trx, stream, intent.events.length);
      await t
        .insertInto('event_intents')
        .values({ id: intent.id, created_at: intent.createdAtMs, events, writes, stream, sequence: first, count: intent.events.length })
        .execute();
    });
  }

  publishIntent(id: string, events: readonly OutboxEventInput[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const held = await tablesOf(trx).deleteFrom('event_intents').where('id', '=', id).returning(['stream', 'sequence', 'count']).executeTakeFirst();
      if (!held) return false;
      if (events.length > Number(held.count) || events.some((e) => e.warehouse !== held.stream))
        throw new TypeError('an intent publishes at most the events it was recorded with, in its stream');
      await insertOutboxEvents(trx, held.stream, Number(held.sequence), events);
      return true;
    });
  }

  async dropIntent(id: string): Promise<boolean> {
    const res = await tablesOf(this.db).deleteFrom('event_intents').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async countPending(): Promise<number> {
    const row = await tablesOf(this.db)
      .selectFrom('event_intents')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pendingIntents(beforeMs: number, limit: number): Promise<EventIntent[]> {
    const rows = await tablesOf(this.db)
      .selectFrom('event_intents')
      .select(['id', 'created_at', 'events', 'writes'])
      .where('created_at', '<', beforeMs)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAtMs: Number(r.created_at),
      // Exact: event data may hold 64-bit snapshot ids (catalog/json.ts).
      events: parseJson(r.events) as OutboxEventInput[],
      writes: JSON.parse(r.writes) as ExternalWrite[],
    }));
  }
}
