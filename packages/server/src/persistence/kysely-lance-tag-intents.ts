/**
 * Lance tag intents (catalog/ports/lance-tag-intents.ts) over SQLite or PostgreSQL, in `lance_tag_intents` (migration
 * 0035). Publishing deletes the row and appends its event to the outbox in one transaction, and only the transaction
 * that deleted the row appends (a concurrent publish or drop deletes nothing and appends nothing), so an intent's event
 * is in the outbox at most once. A claim is one conditional UPDATE: of replicas racing for an intent one updates it.
 * The tag's state before the write (migration 0036) is `before_state` ('absent', 'named' with `before_version`, null:
 * not known).
 */
import type { Kysely } from 'kysely';
import type { LanceTagIntent, LanceTagIntentStore, LanceTagIntentSummary, LanceTagOperation } from '../catalog/ports/lance-tag-intents.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { parseJson, stringifyJson } from '../catalog/json.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import type { CatalogDatabase } from './schema.js';

type Int = number | string | bigint;
interface Row {
  id: string;
  warehouse: string;
  namespace: string;
  name: string;
  table_id: string;
  tag: string;
  version: Int | null;
  event: string;
  created_at: Int;
  claimed_until: Int | null;
  operation: string | null;
  before_state: string | null;
  before_version: Int | null;
}
type Db = Kysely<{ lance_tag_intents: Row }>;
const tablesOf = (db: Kysely<CatalogDatabase>): Db => db.withTables<{ lance_tag_intents: Row }>() as unknown as Db;

export class KyselyLanceTagIntents implements LanceTagIntentStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async add(i: LanceTagIntent): Promise<void> {
    await tablesOf(this.db)
      .insertInto('lance_tag_intents')
      .values({
        id: i.id,
        warehouse: i.warehouse,
        namespace: JSON.stringify(i.namespace),
        name: i.name,
        table_id: i.tableId,
        tag: i.tag,
        version: i.version ?? null,
        // Exact: event data may hold 64-bit numbers (catalog/json.ts).
        event: stringifyJson(i.event),
        created_at: i.createdAtMs,
        claimed_until: null,
        operation: i.operation ?? null,
        before_state: i.before === undefined ? null : i.before.version === undefined ? 'absent' : 'named',
        before_version: i.before?.version ?? null,
      })
      .execute();
  }

  publish(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await tablesOf(trx).deleteFrom('lance_tag_intents').where('id', '=', id).returning('event').executeTakeFirst();
      if (!row) return false;
      // The outbox write last, as in every transaction (the counter row's lock).
      await appendOutboxEvents(trx, [parseJson(row.event) as OutboxEventInput]);
      return true;
    });
  }

  async drop(id: string): Promise<boolean> {
    const res = await tablesOf(this.db).deleteFrom('lance_tag_intents').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async pending(beforeMs: number, limit: number): Promise<LanceTagIntent[]> {
    const rows = await tablesOf(this.db)
      .selectFrom('lance_tag_intents')
      .selectAll()
      .where('created_at', '<', beforeMs)
      // Never claimed first (NULLS FIRST: PostgreSQL sorts them last by default), then the claims that ended first.
      .orderBy('claimed_until', (o) => o.asc().nullsFirst())
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async claim(id: string, nowMs: number, untilMs: number): Promise<boolean> {
    const res = await tablesOf(this.db)
      .updateTable('lance_tag_intents')
      .set({ claimed_until: untilMs })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowMs)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async summary(): Promise<LanceTagIntentSummary> {
    const row = await tablesOf(this.db)
      .selectFrom('lance_tag_intents')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
      .executeTakeFirstOrThrow();
    return { pending: Number(row.n), oldestCreatedAtMs: row.oldest === null || row.oldest === undefined ? undefined : Number(row.oldest) };
  }
}

const OPERATIONS = new Set<string>(['create', 'update', 'delete']);

function fromRow(r: Row): LanceTagIntent {
  return {
    id: r.id,
    warehouse: r.warehouse,
    namespace: JSON.parse(r.namespace) as string[],
    name: r.name,
    tableId: r.table_id,
    tag: r.tag,
    version: r.version === null || r.version === undefined ? undefined : Number(r.version),
    event: parseJson(r.event) as OutboxEventInput,
    createdAtMs: Number(r.created_at),
    ...(r.operation !== null && OPERATIONS.has(r.operation) ? { operation: r.operation as LanceTagOperation } : {}),
    ...(r.before_state === 'absent'
      ? { before: { version: undefined } }
      : r.before_state === 'named' && r.before_version !== null
        ? { before: { version: Number(r.before_version) } }
        : {}),
  };
}
