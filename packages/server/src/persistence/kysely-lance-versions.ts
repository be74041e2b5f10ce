/**
 * The Lance version store (catalog/ports/lance-versions.ts) over SQLite or PostgreSQL. A commit moves the chain's
 * head by compare-and-swap (`update … where version = <head read>`): on PostgreSQL a second writer of the same
 * version blocks on the head row until the first commits, then updates nothing and is told the version is taken;
 * on SQLite transactions are serialised already. The first version inserts the head with `on conflict do nothing`,
 * which the same way lets one of two concurrent creators win. Reads (the latest version, one version, a page) are
 * compiled once and run on the store's read runner, like the catalog's hot reads (compiled-reads.ts): Lance reads the
 * latest version on every open and before every commit.
 */
import type { Kysely, Transaction } from 'kysely';
import { type CompiledReads, kyselyRunner, type ReadRunner } from './compiled-reads.js';
import type { AppendRefusal, LanceVersionRecord, LanceVersionStore } from '../catalog/ports/lance-versions.js';
import type { CatalogDatabase } from './schema.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { appendOutboxEvents } from './kysely-outbox.js';

type LanceVersionTables = {
  lance_version_heads: { table_id: string; branch: string; version: number | string | bigint };
  lance_table_versions: {
    table_id: string;
    branch: string;
    version: number | string | bigint;
    manifest_uri: string;
    manifest_size: number | string | bigint;
    e_tag: string | null;
    created_at: number | string | bigint;
    created_by: string;
    metadata: string;
  };
};

type Db = Kysely<LanceVersionTables>;
type Row = LanceVersionTables['lance_table_versions'];

const toRecord = (r: Row): LanceVersionRecord => ({
  tableId: r.table_id,
  branch: r.branch,
  version: Number(r.version),
  manifestUri: r.manifest_uri,
  manifestSize: Number(r.manifest_size),
  ...(r.e_tag !== null ? { eTag: r.e_tag } : {}),
  timestampMs: Number(r.created_at),
  createdBy: r.created_by,
  metadata: JSON.parse(r.metadata) as Record<string, string>,
});

export class KyselyLanceVersionStore implements LanceVersionStore {
  private readonly db: Db;
  private readonly reads: ReadRunner;

  constructor(
    db: Kysely<CatalogDatabase>,
    reads: ReadRunner | undefined,
    private readonly compiled: CompiledReads,
  ) {
    this.db = db.withTables<LanceVersionTables>() as unknown as Db;
    this.reads = reads ?? kyselyRunner(db);
  }

  async appendMany(
    records: readonly LanceVersionRecord[],
    write: () => Promise<void>,
    events: readonly OutboxEventInput[] = [],
  ): Promise<{ index: number; refusal: AppendRefusal } | undefined> {
    // Heads are moved in one order (table, branch) so that two batches over the same chains cannot deadlock on PostgreSQL.
    const order = [...records.keys()].sort((a, b) => compareChains(records[a]!, records[b]!));
    try {
      return await this.db.transaction().execute(async (trx) => {
        for (const index of order) {
          const refusal = await moveHead(trx, records[index]!);
          if (refusal) throw new Refused(index, refusal);
        }
        await write();
        await trx.insertInto('lance_table_versions').values(records.map(toRow)).execute();
        if (events.length > 0) await appendOutboxEvents(trx as unknown as Kysely<CatalogDatabase>, events);
        return undefined;
      });
    } catch (e) {
      // Thrown to roll back the heads already moved.
      if (e instanceof Refused) return { index: e.index, refusal: e.refusal };
      throw e;
    }
  }

  append(record: LanceVersionRecord, write: () => Promise<void>, events: readonly OutboxEventInput[] = []): Promise<AppendRefusal | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const refusal = await moveHead(trx, record);
      if (refusal) return refusal;
      await write();
      await trx.insertInto('lance_table_versions').values(toRow(record)).execute();
      if (events.length > 0) await appendOutboxEvents(trx as unknown as Kysely<CatalogDatabase>, events);
      return undefined;
    });
  }

  async get(tableId: string, branch: string, version: number): Promise<LanceVersionRecord | undefined> {
    const q = this.compiled.compile('lanceVersion', [tableId, branch, version], (t, b, v) =>
      this.db
        .selectFrom('lance_table_versions')
        .selectAll()
        .where('table_id', '=', t)
        .where('branch', '=', b)
        .where('version', '=', v as never),
    );
    const [row] = await this.reads.rows(q);
    return row ? toRecord(row) : undefined;
  }

  async list(tableId: string, branch: string, options: { descending: boolean; after?: number | undefined; limit: number }): Promise<LanceVersionRecord[]> {
    const order = options.descending ? 'desc' : 'asc';
    const base = (t: string, b: string) => this.db.selectFrom('lance_table_versions').selectAll().where('table_id', '=', t).where('branch', '=', b);
    const q =
      options.after === undefined
        ? this.compiled.compile(`lanceVersions:${order}`, [tableId, branch, options.limit], (t, b, l) =>
            base(t, b)
              .orderBy('version', order)
              .limit(l as never),
          )
        : this.compiled.compile(`lanceVersionsAfter:${order}`, [tableId, branch, options.after, options.limit], (t, b, a, l) =>
            base(t, b)
              .where('version', options.descending ? '<' : '>', a as never)
              .orderBy('version', order)
              .limit(l as never),
          );
    return (await this.reads.rows(q)).map(toRecord);
  }

  async head(tableId: string, branch: string): Promise<number | undefined> {
    const q = this.compiled.compile('lanceVersionHead', [tableId, branch], (t, b) =>
      this.db.selectFrom('lance_version_heads').select('version').where('table_id', '=', t).where('branch', '=', b),
    );
    const [row] = await this.reads.rows(q);
    return row ? Number(row.version) : undefined;
  }

  async deleteRanges(tableId: string, branch: string, ranges: { start: number; end: number | undefined }[]): Promise<number> {
    if (ranges.length === 0) return 0;
    const result = await this.db
      .deleteFrom('lance_table_versions')
      .where('table_id', '=', tableId)
      .where('branch', '=', branch)
      .where((eb) =>
        eb.or(ranges.map((r) => (r.end === undefined ? eb('version', '>=', r.start) : eb.and([eb('version', '>=', r.start), eb('version', '<', r.end)])))),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async branches(tableId: string): Promise<{ branch: string; head: number }[]> {
    const rows = await this.db
      .selectFrom('lance_version_heads')
      .select(['branch', 'version'])
      .where('table_id', '=', tableId)
      .where('branch', '<>', '')
      .orderBy('branch')
      .execute();
    return rows.map((r) => ({ branch: r.branch, head: Number(r.version) }));
  }

  async deleteBranch(tableId: string, branch: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx.deleteFrom('lance_version_heads').where('table_id', '=', tableId).where('branch', '=', branch).executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) return false;
      await trx.deleteFrom('lance_table_versions').where('table_id', '=', tableId).where('branch', '=', branch).execute();
      if (events.length > 0) await appendOutboxEvents(trx as unknown as Kysely<CatalogDatabase>, events);
      return true;
    });
  }

  async deleteTable(tableId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('lance_table_versions').where('table_id', '=', tableId).execute();
      await trx.deleteFrom('lance_version_heads').where('table_id', '=', tableId).execute();
    });
  }
}

class Refused extends Error {
  constructor(
    readonly index: number,
    readonly refusal: AppendRefusal,
  ) {
    super('refused');
  }
}

const compareChains = (a: LanceVersionRecord, b: LanceVersionRecord): number =>
  a.tableId !== b.tableId ? (a.tableId < b.tableId ? -1 : 1) : a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0;

const toRow = (record: LanceVersionRecord): Row => ({
  table_id: record.tableId,
  branch: record.branch,
  version: record.version,
  manifest_uri: record.manifestUri,
  manifest_size: record.manifestSize,
  e_tag: record.eTag ?? null,
  created_at: record.timestampMs,
  created_by: record.createdBy,
  metadata: JSON.stringify(record.metadata),
});

/** Moves the chain's head to record.version if that is the next version; otherwise says why not. */
async function moveHead(trx: Transaction<LanceVersionTables>, record: LanceVersionRecord): Promise<AppendRefusal | undefined> {
  const head = await trx
    .selectFrom('lance_version_heads')
    .select('version')
    .where('table_id', '=', record.tableId)
    .where('branch', '=', record.branch)
    .executeTakeFirst();
  if (!head) {
    const inserted = await trx
      .insertInto('lance_version_heads')
      .values({ table_id: record.tableId, branch: record.branch, version: record.version })
      .onConflict((oc) => oc.columns(['table_id', 'branch']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? undefined : { kind: 'taken' };
  }
  const latest = Number(head.version);
  if (record.version <= latest) return { kind: 'taken' };
  if (record.version > latest + 1) return { kind: 'skips', latest };
  const updated = await trx
    .updateTable('lance_version_heads')
    .set({ version: record.version })
    .where('table_id', '=', record.tableId)
    .where('branch', '=', record.branch)
    .where('version', '=', latest)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? undefined : { kind: 'taken' };
}
