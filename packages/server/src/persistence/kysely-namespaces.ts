/**
 * Warehouses and namespaces over Kysely, below KyselyCatalogRepository (kysely-repository.ts), which adds the
 * catalog objects. The hot reads run through the compiled reads (compiled-reads.ts), as the objects' do.
 */
import type { Kysely } from 'kysely';
import type { NamespaceRecord, ObjectKind, Page, Warehouse } from '../catalog/ports/index.js';
import type { FederationSettings } from '../catalog/ports/remote-catalog.js';
import { CompiledReads, type ReadRunner, kyselyRunner } from './compiled-reads.js';
import { KyselyRecords } from './kysely-records.js';
import { type CatalogDatabase, decodeNamespace, encodeNamespace } from './schema.js';
import { toWarehouse, warehouseRow } from './warehouse-rows.js';

const parseProps = (s: string): Record<string, string> => JSON.parse(s) as Record<string, string>;
/** listNamespaces' records of kept (frozen, shared) row arrays, frozen too: by the rows' identity, so gone with them. */
const decodedNamespaces = new WeakMap<readonly unknown[], NamespaceRecord[]>();

export abstract class KyselyNamespaceRecords extends KyselyRecords {
  constructor(
    db: Kysely<CatalogDatabase>,
    protected readonly reads: ReadRunner = kyselyRunner(db),
    readonly compiled: CompiledReads = new CompiledReads(),
  ) {
    super(db);
  }

  async getWarehouse(name: string): Promise<Warehouse | undefined> {
    const q = this.compiled.compile('getWarehouse', [name], (n) => this.db.selectFrom('warehouses').selectAll().where('name', '=', n));
    const [r] = await this.reads.rows(q);
    return r && toWarehouse(r);
  }

  async listWarehouses(): Promise<Warehouse[]> {
    const rows = await this.db.selectFrom('warehouses').selectAll().orderBy('name').execute();
    return rows.map(toWarehouse);
  }

  async insertWarehouse(w: Warehouse): Promise<boolean> {
    const res = await this.db
      .insertInto('warehouses')
      .values(warehouseRow(w))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async setWarehouseProperties(name: string, properties: Record<string, string>): Promise<void> {
    await this.db
      .updateTable('warehouses')
      .set({ properties: JSON.stringify(properties) })
      .where('name', '=', name)
      .execute();
  }

  async setWarehouseStorage(name: string, storageProfile: Record<string, unknown>, secretId: string | undefined): Promise<void> {
    await this.db
      .updateTable('warehouses')
      .set({ storage_profile: JSON.stringify(storageProfile), secret_id: secretId ?? null })
      .where('name', '=', name)
      .execute();
  }

  async setWarehouseFederation(name: string, federation: FederationSettings): Promise<void> {
    await this.db
      .updateTable('warehouses')
      .set({ federation: JSON.stringify(federation) })
      .where('name', '=', name)
      .execute();
  }

  async getNamespace(warehouse: string, levels: string[]): Promise<NamespaceRecord | undefined> {
    const q = this.compiled.compile('getNamespace', [warehouse, encodeNamespace(levels)], (w, n) =>
      this.db.selectFrom('namespaces').selectAll().where('warehouse', '=', w).where('name', '=', n),
    );
    const [r] = await this.reads.rows(q);
    return r && { id: r.id, warehouse, levels: decodeNamespace(r.name), properties: parseProps(r.properties) };
  }

  /** Keyset paging: the page after a name is read through the (warehouse, parent, name) index, never with OFFSET. */
  async listNamespaces(warehouse: string, parent: string[], page: Page): Promise<NamespaceRecord[]> {
    const base = (w: string, p: string) => this.db.selectFrom('namespaces').selectAll().where('warehouse', '=', w).where('parent', '=', p);
    const q =
      page.after === undefined
        ? this.compiled.compile('listNamespaces', [warehouse, encodeNamespace(parent), page.limit], (w, p, l) =>
            base(w, p)
              .orderBy('name')
              .limit(l as never),
          )
        : this.compiled.compile('listNamespacesAfter', [warehouse, encodeNamespace(parent), page.after, page.limit], (w, p, a, l) =>
            base(w, p)
              .where('name', '>', a)
              .orderBy('name')
              .limit(l as never),
          );
    const rows = await this.reads.rows(q);
    // Kept rows (the SQLite read memo's: frozen, shared while the file is unchanged) are decoded once, not per listing.
    const decoded = decodedNamespaces.get(rows);
    if (decoded !== undefined) return decoded.slice();
    if (!Object.isFrozen(rows)) return rows.map((r) => ({ id: r.id, warehouse, levels: decodeNamespace(r.name), properties: parseProps(r.properties) }));
    const records = rows.map((r): NamespaceRecord =>
      Object.freeze({ id: r.id, warehouse, levels: Object.freeze(decodeNamespace(r.name)) as string[], properties: Object.freeze(parseProps(r.properties)) }),
    );
    decodedNamespaces.set(rows, records);
    return records.slice();
  }

  async getNamespaceIds(warehouse: string, namespaces: readonly string[][]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (namespaces.length === 0) return out;
    const names = namespaces.map(encodeNamespace);
    // One compiled text per list length: padded (with the last name again) to a power of two, so the
    // lengths a lookup asks for (its depth, plus the ids it renews, catalog/access/namespace-ids.ts) make
    // a handful of texts, not one per length.
    const size = 2 ** Math.ceil(Math.log2(names.length));
    while (names.length < size) names.push(names[names.length - 1]!);
    const q = this.compiled.compile(`getNamespaceIds:${names.length}`, [warehouse, ...names], (w, ...ns) =>
      this.db.selectFrom('namespaces').select(['name', 'id']).where('warehouse', '=', w).where('name', 'in', ns),
    );
    for (const r of await this.reads.rows(q)) out.set(r.name, r.id);
    return out;
  }

  async findByIds(
    ids: readonly string[],
  ): Promise<Array<{ id: string; warehouse: string; namespace: string[]; name?: string; kind: ObjectKind | 'namespace' }>> {
    if (ids.length === 0) return [];
    const list = [...ids];
    const namespaces = await this.db.selectFrom('namespaces').select(['id', 'warehouse', 'name']).where('id', 'in', list).execute();
    const objects = await this.db.selectFrom('catalog_objects').select(['id', 'warehouse', 'namespace', 'name', 'kind']).where('id', 'in', list).execute();
    return [
      ...namespaces.map((r) => ({ id: r.id, warehouse: r.warehouse, namespace: decodeNamespace(r.name), kind: 'namespace' as const })),
      ...objects.map((r) => ({ id: r.id, warehouse: r.warehouse, namespace: decodeNamespace(r.namespace), name: r.name, kind: r.kind as ObjectKind })),
    ];
  }

  async insertNamespace(record: NamespaceRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('namespaces')
      .values({
        id: record.id,
        warehouse: record.warehouse,
        name: encodeNamespace(record.levels),
        parent: encodeNamespace(record.levels.slice(0, -1)),
        properties: JSON.stringify(record.properties),
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async setNamespaceProperties(warehouse: string, levels: string[], properties: Record<string, string>): Promise<void> {
    await this.db
      .updateTable('namespaces')
      .set({ properties: JSON.stringify(properties) })
      .where('warehouse', '=', warehouse)
      .where('name', '=', encodeNamespace(levels))
      .execute();
  }

  async deleteNamespace(warehouse: string, levels: string[]): Promise<void> {
    await this.db.deleteFrom('namespaces').where('warehouse', '=', warehouse).where('name', '=', encodeNamespace(levels)).execute();
  }

  async namespaceHasChildren(warehouse: string, levels: string[]): Promise<boolean> {
    const ns = encodeNamespace(levels);
    const obj = await this.db
      .selectFrom('catalog_objects')
      .select('name')
      .where('warehouse', '=', warehouse)
      .where('namespace', '=', ns)
      .limit(1)
      .executeTakeFirst();
    if (obj) return true;
    const child = await this.db.selectFrom('namespaces').select('name').where('warehouse', '=', warehouse).where('parent', '=', ns).limit(1).executeTakeFirst();
    return child !== undefined;
  }
}
