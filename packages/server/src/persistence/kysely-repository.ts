/**
 * The CatalogRepository over Kysely. One implementation serves SQLite and
 * PostgreSQL: the SQL used is the portable subset both accept
 * (INSERT ... ON CONFLICT DO NOTHING, UPDATE ... WHERE for compare-and-swap).
 * Here catalog objects; warehouses and namespaces are in kysely-namespaces.ts, the other records
 * (secrets, keys, staged tables, idempotency, metrics) in kysely-records.ts.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { CatalogObjectRecord, CatalogRepository, MetadataSwap, ObjectKind, Page } from '../catalog/ports/index.js';
import { CompiledReads, type ReadRunner, kyselyRunner } from './compiled-reads.js';
import { KyselyNamespaceRecords } from './kysely-namespaces.js';
import { WHOLE_ROW, objectFromRow, objectKnown, objectRow } from './object-rows.js';
import { SyncObjects, sharedRecord } from './shared-records.js';
import { type ReadCaches, listingKey, objectKey } from './read-caches.js';
import { type CatalogDatabase, encodeNamespace } from './schema.js';
import { objectOrderKey } from '../catalog/identifiers.js';

/** True for a unique/primary-key violation in either database. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string } | undefined;
  return err?.code === '23505' || (typeof err?.code === 'string' && err.code.startsWith('SQLITE_CONSTRAINT'));
}

/** Every column of an object but its metadata JSON (read-caches.ts MetadataCache). */
const POINTER_COLUMNS = [
  'id',
  'warehouse',
  'namespace',
  'name',
  'kind',
  'uuid',
  'location',
  'metadata_location',
  'created_at',
  'updated_at',
  'location_owned',
] as const;

/** Names per getObjectIds query (under both databases' bound on parameters). */
const OBJECT_IDS_CHUNK = 1024;

export class KyselyCatalogRepository extends KyselyNamespaceRecords implements CatalogRepository {
  /**
   * @param reads how the hot reads run (compiled-reads.ts): by default through `db`; the SQLite store
   *   passes a read-only connection of its own. Inside a transaction they always run through it.
   * @param compiled the compiled hot reads, shared with the repositories of transactions.
   * @param caches listing pages and metadata JSON kept while the database says they are current (read-caches.ts);
   *   none inside transactions, which read what they see.
   */
  constructor(
    db: Kysely<CatalogDatabase>,
    reads: ReadRunner = kyselyRunner(db),
    compiled: CompiledReads = new CompiledReads(),
    private readonly caches?: ReadCaches,
  ) {
    super(db, reads, compiled);
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** PostgreSQL compares locations in its "C" collation where byte order matters (findObjectsByLocationPrefix). */
  private readonly postgres: boolean;
  /** getObjectSync's records by the store's read version (ReadRunner.versionNow). */
  private readonly syncObjects = new SyncObjects();

  async getObject(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined> {
    const caches = this.caches;
    if (caches === undefined) return this.getWholeObject(warehouse, namespace, name);
    const rowsNow = this.reads.rowsNow;
    if (rowsNow !== undefined) return this.objectNow(caches, rowsNow, warehouse, namespace, name);
    const ns = encodeNamespace(namespace);
    const key = objectKey(warehouse, ns, name);
    const known = caches.metadata.get(key);
    const [row] = await this.reads.rows(this.knownObjectQuery(warehouse, ns, name, known));
    const found = objectKnown(caches, key, known, row);
    return found !== WHOLE_ROW ? found : this.getWholeObject(warehouse, namespace, name);
  }

  getObjectSync(warehouse: string, namespace: string[], name: string): CatalogObjectRecord | undefined {
    const caches = this.caches;
    const rowsNow = this.reads.rowsNow;
    if (caches === undefined || rowsNow === undefined) return undefined;
    // The store's version first, then the record kept under it (shared-records.ts SyncObjects), else the reads.
    const version = this.reads.versionNow?.();
    if (version === undefined) return this.objectNow(caches, rowsNow, warehouse, namespace, name, true);
    const key = objectKey(warehouse, encodeNamespace(namespace), name);
    return this.syncObjects.get(key, version) ?? this.syncObjects.keep(key, version, this.objectNow(caches, rowsNow, warehouse, namespace, name, true));
  }

  /** getObject() where reads run synchronously (SQLite): the same queries and caches, without a promise. */
  private objectNow(
    caches: ReadCaches,
    rowsNow: NonNullable<ReadRunner['rowsNow']>,
    warehouse: string,
    namespace: string[],
    name: string,
    shared = false,
  ): CatalogObjectRecord | undefined {
    const ns = encodeNamespace(namespace);
    const key = objectKey(warehouse, ns, name);
    const known = caches.metadata.get(key);
    const [row] = rowsNow(this.knownObjectQuery(warehouse, ns, name, known));
    // getObjectSync: the frozen record already made of this kept row and JSON (shared-records.ts).
    if (shared && row !== undefined && row.metadata === null && known !== undefined) return sharedRecord(row, known.json);
    const found = objectKnown(caches, key, known, row);
    if (found !== WHOLE_ROW) return found;
    const [r] = rowsNow(this.wholeObjectQuery(warehouse, ns, name));
    return r && objectFromRow(r, r.metadata);
  }

  /** One query: the row, and its metadata JSON only if it is not the one kept for its (id, pointer) (read-caches.ts). */
  private knownObjectQuery(warehouse: string, ns: string, name: string, known: { id: string; metadataLocation: string } | undefined) {
    return this.compiled.compile('getObjectKnown', [warehouse, ns, name, known?.id ?? '', known?.metadataLocation ?? ''], (w, n, nm, id, location) =>
      this.db
        .selectFrom('catalog_objects')
        .select(POINTER_COLUMNS)
        // The labels in the same query (a primary-key subquery; a LEFT JOIN measured ~8× slower on SQLite): docs/benchmarks.md.
        .select((eb) => eb.selectFrom('object_labels').select('labels').whereRef('object_labels.object_id', '=', 'catalog_objects.id').as('labels'))
        .select(
          sql<string | null>`case when ${sql.ref('id')} = ${id} and ${sql.ref('metadata_location')} = ${location} then null else ${sql.ref('metadata')} end`.as(
            'metadata',
          ),
        )
        .where('warehouse', '=', w)
        .where('namespace', '=', n)
        .where('name', '=', nm),
    );
  }

  private wholeObjectQuery(warehouse: string, ns: string, name: string) {
    return this.compiled.compile('getObject', [warehouse, ns, name], (w, n, nm) =>
      this.db
        .selectFrom('catalog_objects')
        .selectAll()
        .select((eb) => eb.selectFrom('object_labels').select('labels').whereRef('object_labels.object_id', '=', 'catalog_objects.id').as('labels'))
        .where('warehouse', '=', w)
        .where('namespace', '=', n)
        .where('name', '=', nm),
    );
  }

  private async getWholeObject(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined> {
    const [r] = await this.reads.rows(this.wholeObjectQuery(warehouse, encodeNamespace(namespace), name));
    return r && objectFromRow(r, r.metadata);
  }

  async getObjectIds(warehouse: string, namespace: string[], names: readonly string[]): Promise<Map<string, { id: string; kind: ObjectKind }>> {
    const out = new Map<string, { id: string; kind: ObjectKind }>();
    const ns = encodeNamespace(namespace);
    const distinct = [...new Set(names)];
    for (let start = 0; start < distinct.length; start += OBJECT_IDS_CHUNK) {
      const chunk = distinct.slice(start, start + OBJECT_IDS_CHUNK);
      // One compiled text per power-of-two length (padded with the last name again), as getNamespaceIds.
      const size = 2 ** Math.ceil(Math.log2(chunk.length));
      while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
      const q = this.compiled.compile(`getObjectIds:${size}`, [warehouse, ns, ...chunk], (w, n, ...nm) =>
        this.db.selectFrom('catalog_objects').select(['name', 'id', 'kind']).where('warehouse', '=', w).where('namespace', '=', n).where('name', 'in', nm),
      );
      for (const r of await this.reads.rows(q)) out.set(r.name, { id: r.id, kind: r.kind as ObjectKind });
    }
    return out;
  }

  /** A page of a namespace's objects, from the listing cache while the namespace's listing version is the one it was read under. */
  async listObjects(warehouse: string, namespace: string[], kind: ObjectKind, page: Page): Promise<Array<{ id: string; namespace: string[]; name: string }>> {
    const ns = encodeNamespace(namespace);
    const cache = this.caches?.listings;
    if (cache === undefined) return this.readListing(warehouse, ns, namespace, kind, page);
    // The version first: a page read while a change lands is kept under the older version (read-caches.ts).
    const key = listingKey(warehouse, ns, kind, page.after, page.limit);
    const version = await this.listingVersion(warehouse, ns);
    const kept = cache.get(key, version);
    if (kept !== undefined) return kept;
    const objects = await this.readListing(warehouse, ns, namespace, kind, page);
    cache.set(key, version, objects);
    return objects.slice();
  }

  /** Keyset paging: the page after a name is read through the (warehouse, namespace, name) key, never with OFFSET. */
  private async readListing(
    warehouse: string,
    ns: string,
    namespace: string[],
    kind: ObjectKind,
    page: Page,
  ): Promise<Array<{ id: string; namespace: string[]; name: string }>> {
    const base = (w: string, n: string, k: string) =>
      // Not the namespace: it is the one asked for (below), so no row's copy of it is read and decoded.
      this.db.selectFrom('catalog_objects').select(['id', 'name']).where('warehouse', '=', w).where('namespace', '=', n).where('kind', '=', k);
    const q =
      page.after === undefined
        ? this.compiled.compile('listObjects', [warehouse, ns, kind, page.limit], (w, n, k, l) =>
            base(w, n, k)
              .orderBy('name')
              .limit(l as never),
          )
        : this.compiled.compile('listObjectsAfter', [warehouse, ns, kind, page.after, page.limit], (w, n, k, a, l) =>
            base(w, n, k)
              .where('name', '>', a)
              .orderBy('name')
              .limit(l as never),
          );
    const rows = await this.reads.rows(q);
    // Every row is in the namespace asked for: one array for all of them instead of decoding each row's.
    const levels = [...namespace];
    return rows.map((r) => ({ id: r.id, namespace: levels, name: r.name }));
  }

  /** The listing version (migration 0011) of an encoded namespace; "0" before anything was ever listed in it. */
  private async listingVersion(warehouse: string, ns: string): Promise<string> {
    const q = this.compiled.compile('listingVersion', [warehouse, ns], (w, n) =>
      this.db.selectFrom('listing_versions').select('version').where('warehouse', '=', w).where('namespace', '=', n),
    );
    const [row] = await this.reads.rows(q);
    return row === undefined ? '0' : String(row.version);
  }

  /**
   * The objects at `locationPrefix` or under it (`prefix/…`), found by one range scan of the location index: every
   * such location sorts, byte by byte, within [base, base + "0"), since "/" is the character just below "0"; the few
   * siblings that also do ("base-x", "base.x") are dropped here. The byte order is SQLite's BINARY collation, and on
   * PostgreSQL the "C" collation of the index that migration 0012 adds (a locale's order would put "base/x" outside
   * the range). Neither LIKE (case-insensitive in SQLite, % and _ are wildcards) nor substr() (no index: a scan of the
   * whole warehouse, ~0.3 s on the event loop at 10^6 tables, for every create at a chosen location, register,
   * location-changing commit and purge) would do.
   */
  async findObjectsByLocationPrefix(warehouse: string, locationPrefix: string): Promise<CatalogObjectRecord[]> {
    const base = locationPrefix.replace(/\/+$/, '');
    const dir = `${base}/`;
    const location = this.postgres ? sql<string>`location collate "C"` : sql<string>`location`;
    const rows = await this.db
      .selectFrom('catalog_objects')
      .selectAll()
      .where('warehouse', '=', warehouse)
      .where(location, '>=', base)
      .where(location, '<', `${base}0`)
      .execute();
    return rows.filter((r) => r.location === locationPrefix || r.location.startsWith(dir)).map((r) => objectFromRow(r, r.metadata));
  }

  async findObjectsAtLocations(warehouse: string, locations: readonly string[]): Promise<CatalogObjectRecord[]> {
    if (locations.length === 0) return [];
    const location = this.postgres ? sql<string>`location collate "C"` : sql<string>`location`;
    const rows = await this.db
      .selectFrom('catalog_objects')
      .selectAll()
      .where('warehouse', '=', warehouse)
      .where(location, 'in', [...locations])
      .execute();
    return rows.map((r) => objectFromRow(r, r.metadata));
  }

  async insertObject(r: CatalogObjectRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('catalog_objects')
      .values(objectRow(r))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async lockObjects(warehouse: string, identifiers: ReadonlyArray<{ namespace: string[]; name: string }>): Promise<void> {
    if (!this.postgres || !this.db.isTransaction) return;
    const keys = [...new Set(identifiers.map((i) => objectOrderKey(i.namespace, i.name)))].sort();
    // One row at a time in that order: two transactions locking overlapping sets cannot deadlock.
    for (const key of keys) {
      const [namespace, name] = JSON.parse(key) as [string, string];
      await this.db
        .selectFrom('catalog_objects')
        .select('id')
        .where('warehouse', '=', warehouse)
        .where('namespace', '=', namespace)
        .where('name', '=', name)
        .forUpdate()
        .execute();
    }
  }

  async swapMetadata(s: MetadataSwap, nowMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('catalog_objects')
      .set({ metadata_location: s.metadataLocation, metadata: s.metadataJson, location: s.location, updated_at: nowMs })
      .where('warehouse', '=', s.warehouse)
      .where('namespace', '=', encodeNamespace(s.namespace))
      .where('name', '=', s.name)
      .where('kind', '=', s.kind)
      .where('metadata_location', '=', s.expectedMetadataLocation)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async renameObject(
    warehouse: string,
    kind: ObjectKind,
    from: { namespace: string[]; name: string },
    to: { namespace: string[]; name: string },
    nowMs: number,
    id?: string,
  ): Promise<'renamed' | 'missing' | 'exists'> {
    const source = await this.getObject(warehouse, from.namespace, from.name);
    if (!source || source.kind !== kind || (id !== undefined && source.id !== id)) return 'missing';
    if (await this.getObject(warehouse, to.namespace, to.name)) return 'exists';
    try {
      const res = await this.db
        .updateTable('catalog_objects')
        .set({ namespace: encodeNamespace(to.namespace), name: to.name, updated_at: nowMs })
        .where('warehouse', '=', warehouse)
        .where('namespace', '=', encodeNamespace(from.namespace))
        .where('name', '=', from.name)
        .where('kind', '=', kind)
        .where('id', '=', source.id)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1 ? 'renamed' : 'missing';
    } catch (e) {
      if (isUniqueViolation(e)) return 'exists';
      throw e;
    }
  }

  async deleteObject(warehouse: string, namespace: string[], name: string, kind: ObjectKind, id?: string): Promise<boolean> {
    let q = this.db
      .deleteFrom('catalog_objects')
      .where('warehouse', '=', warehouse)
      .where('namespace', '=', encodeNamespace(namespace))
      .where('name', '=', name)
      .where('kind', '=', kind);
    if (id !== undefined) q = q.where('id', '=', id);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }
}
