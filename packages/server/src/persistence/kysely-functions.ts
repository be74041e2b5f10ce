/**
 * Functions (catalog/ports/functions.ts) in the catalog database (table catalog_functions, migration 0029). Every
 * loadFunction reads here (functions have no read memo), so get and list are compiled once and run on the store's
 * read runner like the catalog's hot reads (compiled-reads.ts): built by Kysely per call, a get cost 4x the row read of
 * loadView (docs/benchmarks.md, "Functions on the load path").
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { CompiledReads, kyselyRunner, type ReadRunner } from './compiled-reads.js';
import type { FunctionRecord, FunctionStore } from '../catalog/ports/functions.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { type CatalogDatabase, decodeNamespace, encodeNamespace } from './schema.js';
import { appendOutboxEvents } from './kysely-outbox.js';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

export class KyselyFunctions implements FunctionStore {
  /** PostgreSQL compares text by its collation; `collate "C"` gives the code-unit order SQLite and memory use. */
  private readonly byName;
  private readonly reads: ReadRunner;

  constructor(
    private readonly db: Kysely<CatalogDatabase>,
    reads?: ReadRunner,
    private readonly compiled: CompiledReads = new CompiledReads(),
  ) {
    this.byName = db.getExecutor().adapter instanceof PostgresAdapter ? sql<string>`name collate "C"` : sql<string>`name`;
    this.reads = reads ?? kyselyRunner(db);
  }

  async get(warehouse: string, namespace: string[], name: string): Promise<FunctionRecord | undefined> {
    const q = this.compiled.compile('function', [warehouse, encodeNamespace(namespace), name], (w, ns, n) =>
      this.db.selectFrom('catalog_functions').selectAll().where('warehouse', '=', w).where('namespace', '=', ns).where('name', '=', n),
    );
    const [row] = await this.reads.rows(q);
    return (
      row && {
        warehouse: row.warehouse,
        namespace: decodeNamespace(row.namespace),
        name: row.name,
        uuid: row.uuid,
        metadataJson: row.metadata_json,
        createdAtMs: num(row.created_at),
        updatedAtMs: num(row.updated_at),
      }
    );
  }

  async list(warehouse: string, namespace: string[], after: string | undefined, limit: number): Promise<string[]> {
    const base = (w: string, ns: string) => this.db.selectFrom('catalog_functions').select('name').where('warehouse', '=', w).where('namespace', '=', ns);
    const q =
      after === undefined
        ? this.compiled.compile('functions', [warehouse, encodeNamespace(namespace), limit], (w, ns, l) =>
            base(w, ns)
              .orderBy(this.byName)
              .limit(l as never),
          )
        : this.compiled.compile('functionsAfter', [warehouse, encodeNamespace(namespace), after, limit], (w, ns, a, l) =>
            base(w, ns)
              .where(this.byName, '>', a)
              .orderBy(this.byName)
              .limit(l as never),
          );
    return (await this.reads.rows(q)).map((r) => r.name);
  }

  /** The row and its change event in one transaction, the event last. */
  async put(record: FunctionRecord, events: readonly OutboxEventInput[] = []): Promise<'created' | 'replaced'> {
    return this.inTransaction(async (db) => {
      const key = { warehouse: record.warehouse, namespace: encodeNamespace(record.namespace), name: record.name };
      const updated = await db
        .updateTable('catalog_functions')
        .set({ uuid: record.uuid, metadata_json: record.metadataJson, updated_at: record.updatedAtMs })
        .where('warehouse', '=', key.warehouse)
        .where('namespace', '=', key.namespace)
        .where('name', '=', key.name)
        .executeTakeFirst();
      const replaced = Number(updated.numUpdatedRows) > 0;
      if (!replaced)
        await db
          .insertInto('catalog_functions')
          .values({ ...key, uuid: record.uuid, metadata_json: record.metadataJson, created_at: record.createdAtMs, updated_at: record.updatedAtMs })
          .execute();
      if (events.length > 0) await appendOutboxEvents(db, events);
      return replaced ? 'replaced' : 'created';
    });
  }

  async delete(warehouse: string, namespace: string[], name: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.inTransaction(async (db) => {
      const r = await db
        .deleteFrom('catalog_functions')
        .where('warehouse', '=', warehouse)
        .where('namespace', '=', encodeNamespace(namespace))
        .where('name', '=', name)
        .executeTakeFirst();
      const found = Number(r.numDeletedRows) > 0;
      if (found && events.length > 0) await appendOutboxEvents(db, events);
      return found;
    });
  }

  private inTransaction<T>(run: (db: Kysely<CatalogDatabase>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }
}
