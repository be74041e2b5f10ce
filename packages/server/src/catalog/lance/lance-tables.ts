/**
 * Lance tables in the shared catalog. A Lance dataset manages its own
 * versions under its location, so the catalog keeps only where it lives and
 * the namespace's properties for it: a catalog_objects row of kind
 * 'lance-table' whose metadata_location is the dataset location and whose
 * metadata is `{"format":"lance","properties":{...}}`. Iceberg routes never
 * list or load this kind, and these operations never treat an Iceberg table
 * or view as a dataset: its name is taken (409), but it is not found here.
 * Framework-free: no HTTP, no SQL.
 *
 * Privileges are the table privileges (a Lance table is a table securable):
 * list with `table:list` (or see the tables you hold something on), declare
 * and register with `table:create` on the namespace, describe with
 * `table:read-metadata` (credentials follow read-data/write-data), drop with
 * `table:drop` and `table:write-data` (it deletes the data), deregister with
 * `table:drop` and `table:read-metadata` (its answer shows the location and properties).
 */
import { CatalogError, illegalArgument, validation } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { SecurablePath } from '../ports/access.js';
import { TABLE_VISIBILITY, type Privilege } from '../privileges.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { checkNamespace, checkNewName, checkStringMap, formatIdentifier } from '../identifiers.js';
import { listVisible } from '../kit/listing.js';
import { checkNoOverlap } from '../location-policy.js';
import { type PageRequest, listingOf, toPage } from '../paging.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { purgeLocation } from '../kit/purge.js';
import { softDrop } from '../dropped/soft-drop.js';
import { type TableContext, checkTableLocation, defaultLocation, requireNamespaceFor, vendedAccess } from '../kit/table-kit.js';
import { registerTableMode } from './modes.js';
import { checkLanceTableId, LANCE_TABLE, type LanceTableId } from './table-id.js';
import { checkDescribeRef, type DescribeRefInput, resolveDescribeRef } from './describe-ref.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import { lanceStorageOptions, refreshOffsetOf } from './storage-options.js';
import { isManaged, managedAwaitingFirstVersion, managedByDefault } from './managed.js';
import { recordChanges } from '../outbox/changes.js';
import { checkCompactionProperties } from '../metadata/compaction-properties.js';
import { insertLanceRecord, propertiesOf } from './lance-records.js';
import { checkNoReservedProperties, type MaterializedViewDefinition } from './materialized-view-definition.js';
import { LancePolicyPreparer } from './policy-prepare.js';
import { LancePolicyReads } from './policy-reads.js';
import { type LanceDetailedAnswer, LanceDetailedMetadata } from './detailed-metadata.js';

export interface LanceTableInfo {
  id: string[];
  location: string;
  properties: Record<string, string>;
  /** Object store options for the dataset: vended, location-scoped credentials with `expires_at_millis`, or {} when none are needed or wanted. */
  storageOptions: Record<string, string>;
  /** The catalog records the table's versions (catalog/lance/versions/): the client commits through CreateTableVersion. */
  managedVersioning?: boolean;
  /** The version DescribeTable was asked for (directly or by tag), when it exists. */
  version?: number;
  /** DescribeTable with check_declared: the table is declared and nothing is on storage yet. */
  isOnlyDeclared?: boolean;
  /** DescribeTable with load_detailed_metadata: the name, namespace, and the opened dataset's version and schema. */
  detailed?: LanceDetailedAnswer;
}

const tableNotFound = (t: LanceTableId) => new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(t.namespace, t.name)}`);
const tableExists = (t: LanceTableId) => new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(t.namespace, t.name)}`);

export class LanceTableService {
  /** Policy-enforced reads: what a caller a row filter or column mask restricts is answered instead (policy-reads.ts). */
  readonly policyReads: LancePolicyReads;
  /** Those datasets derived in the background after commits and policy changes (policy-prepare.ts). */
  readonly policyPreparer: LancePolicyPreparer;
  /** DescribeTable's load_detailed_metadata: the dataset opened through the Lance library (detailed-metadata.ts). */
  readonly detailedMetadata: LanceDetailedMetadata;

  constructor(private readonly ctx: TableContext) {
    this.policyReads = new LancePolicyReads(ctx);
    this.policyPreparer = new LancePolicyPreparer(ctx, this.policyReads);
    this.detailedMetadata = new LanceDetailedMetadata(ctx);
  }

  /**
   * With `includeDeclared: false` (lance-namespace 0.13), a table of catalog-managed versions that has no version yet
   * is left out (one read of its record and head each, only then); a page may then hold fewer names than the limit. A
   * dataset managing its own versions is listed either way (knowing would mean reading its storage).
   */
  async list(
    request: CatalogRequest,
    namespace: string[],
    paging: PageRequest,
    includeDeclared?: boolean,
  ): Promise<{ tables: string[]; nextPageToken: string | null }> {
    // validate
    const page = toPage(paging, this.ctx.pageTokens, listingOf(request.warehouse, namespace, LANCE_TABLE));
    const scope = await this.ctx.scope(request);
    if (namespace.length === 0) return { tables: [], nextPageToken: null };
    const levels = checkNamespace(namespace);
    // authorize, execute
    const r = await listVisible(this.ctx, scope, levels, page, { kind: LANCE_TABLE, list: 'table:list', visibleWith: TABLE_VISIBILITY, securable: 'table' });
    if (includeDeclared !== false) return { tables: r.items.map((i) => i.name), nextPageToken: r.nextPageToken };
    const declaredOnly = await Promise.all(
      r.items.map(async (i) => {
        const record = await this.ctx.store.repository.getObject(scope.warehouse.name, i.namespace, i.name);
        return record !== undefined && record !== null && (await managedAwaitingFirstVersion(this.ctx.store.lanceVersions, record));
      }),
    );
    return { tables: r.items.filter((_, k) => !declaredOnly[k]).map((i) => i.name), nextPageToken: r.nextPageToken };
  }

  /**
   * Records a table that does not exist on storage yet: the server picks
   * its location under the warehouse (or checks the one asked for) and
   * vends credentials for it as the caller's privileges on the namespace
   * allow, so a writer can write the dataset.
   */
  async declare(
    request: CatalogRequest,
    idInput: unknown,
    input: { location?: unknown; properties?: unknown; vendCredentials?: unknown },
    stored: { materializedView?: MaterializedViewDefinition } = {},
  ): Promise<LanceTableInfo> {
    // validate
    const id = this.checkCreatable(idInput);
    const properties = checkStringMap(input.properties, 'properties');
    checkNoReservedProperties(properties);
    // The scheduled optimize's settings (compaction.*): a bad value is a 400 now, never a surprise at a scheduled run.
    checkCompactionProperties(properties);
    const vend = checkVend(input.vendCredentials);
    const scope = await this.ctx.scope(request);
    const explicit = input.location !== undefined && input.location !== null;
    if (explicit) checkTableLocation(scope, input.location);
    // authorize
    const namespacePath = await requireNamespaceFor(this.ctx, scope, id.namespace, id.name, ['table:create']);
    // execute
    const ns = await this.ctx.namespaces.require(scope, id.namespace);
    const uuid = this.ctx.newUuid();
    const location = explicit ? checkTableLocation(scope, input.location) : defaultLocation(scope, id.namespace, id.name, uuid, ns.properties);
    await checkNoOverlap(this.ctx.store.repository, scope.warehouse, location, { table: id, nowMs: this.ctx.clock.now(), byCatalog: !explicit });
    const managedVersioning = managedByDefault(scope.warehouse);
    const objectId = await insertLanceRecord(this.ctx, scope, { id, uuid, location, properties, owned: true, managedVersioning, ...stored });
    const declared = await this.info(
      scope,
      id,
      uuid,
      location,
      properties,
      this.ctx.access.objectPath(namespacePath, 'table', objectId),
      vend,
      managedVersioning,
    );
    return { ...declared, managedVersioning };
  }

  /** Registers a dataset that exists already at a location inside the warehouse; overwrite replaces an earlier registration of a Lance table. */
  async register(request: CatalogRequest, idInput: unknown, input: { location?: unknown; mode?: unknown; properties?: unknown }): Promise<LanceTableInfo> {
    // validate
    const id = this.checkCreatable(idInput);
    if (typeof input.location !== 'string' || input.location.length === 0) throw validation('location is required');
    const mode = registerTableMode(input.mode);
    const properties = checkStringMap(input.properties, 'properties');
    checkNoReservedProperties(properties);
    const scope = await this.ctx.scope(request);
    const location = checkTableLocation(scope, input.location);
    // authorize
    const privileges: Privilege[] = mode === 'overwrite' ? ['table:create', 'table:drop'] : ['table:create'];
    await requireNamespaceFor(this.ctx, scope, id.namespace, id.name, privileges);
    // execute
    const existing = await this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    const replacing = mode === 'overwrite' && existing?.kind === LANCE_TABLE;
    // A taken name is a conflict whatever the location; only then may the location not overlap another table's.
    if (existing && !replacing) throw tableExists(id);
    await checkNoOverlap(this.ctx.store.repository, scope.warehouse, location, {
      ...(replacing ? { except: existing.id } : {}),
      table: id,
      nowMs: this.ctx.clock.now(),
    });
    await insertLanceRecord(this.ctx, scope, { id, uuid: this.ctx.newUuid(), location, properties, replace: mode === 'overwrite' });
    return { id: [...id.namespace, id.name], location, properties, storageOptions: {} };
  }

  /**
   * With `version`, `branch` or `tag` (lance-namespace 0.13), the version they name must exist in the catalog (managed
   * tables: TableVersionNotFound, TableBranchNotFound, TableTagNotFound otherwise); `checkDeclared` answers whether the
   * table is only declared (describe-ref.ts).
   */
  async describe(
    request: CatalogRequest,
    idInput: unknown,
    vendCredentials: unknown,
    refInput: DescribeRefInput = {},
    loadDetailedMetadata: unknown = undefined,
  ): Promise<LanceTableInfo> {
    // validate
    const vend = checkVend(vendCredentials);
    const ref = checkDescribeRef(refInput);
    if (loadDetailedMetadata !== undefined && typeof loadDetailedMetadata !== 'boolean') throw validation('load_detailed_metadata must be a boolean');
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record, path } = await this.requireTable(scope, idInput, ['table:read-metadata']);
    // The Lance library must be there before anything is derived or opened (406 otherwise).
    const describer = loadDetailedMetadata === true ? await this.detailedMetadata.available(scope) : undefined;
    // execute
    const managedVersioning = isManaged(record);
    const { branch, ...resolved } = await resolveDescribeRef(this.ctx, scope, id, record, managedVersioning, ref);
    // A table declared and never written has no dataset to open (the spec lets such a describe fail): the caller's 400.
    if (describer !== undefined && (await managedAwaitingFirstVersion(this.ctx.store.lanceVersions, record)))
      throw illegalArgument(`Table ${formatIdentifier(id.namespace, id.name)} is only declared: load_detailed_metadata needs a version`);
    // A caller a policy restricts reads a policy-derived dataset, never the table's own (policy-reads.ts): its own
    // versions (no managed versioning, no version of the table's), its location, storage access to it only.
    const derived = await this.policyReads.forCaller(scope, id, record, path, vend, resolved.version, branch);
    if (derived !== undefined) {
      const detailed = describer && (await this.detailedMetadata.ofDerived(describer, scope, id, record, derived.location));
      return {
        id: [...id.namespace, id.name],
        location: derived.location,
        properties: propertiesOf(record),
        storageOptions: derived.storageOptions,
        ...(detailed ? { detailed } : {}),
      };
    }
    const described = await this.info(scope, id, record.uuid, record.location, propertiesOf(record), path, vend, managedVersioning);
    const detailed = describer && (await this.detailedMetadata.ofTable(describer, scope, id, record, managedVersioning, branch, resolved.version));
    return { ...described, managedVersioning, ...resolved, ...(detailed ? { detailed } : {}) };
  }

  /**
   * The storage options DescribeTable would answer this caller for a table it has just created (CreateTable with data,
   * lance-create.ts): nothing where it could not describe the table (`table:read-metadata`, e.g. a warehouse with
   * `access.creator-owns` "false" and no grant on the new table), else what `info` vends as DescribeTable's default
   * (`vend_credentials` absent): prefix-scoped credentials in the mode the caller's data privileges on the table give,
   * from the same vending cache, with `expires_at_millis` and `refresh_offset_millis` for the client's refresh (another
   * DescribeTable); {} where the warehouse vends nothing. The record was read after the create, as the caller's.
   */
  async storageOptionsFor(scope: RequestScope, record: CatalogObjectRecord): Promise<Record<string, string>> {
    const id: LanceTableId = { namespace: record.namespace, name: record.name };
    // authorize: as DescribeTable, without its denial (the table exists now, whatever the caller may read of it)
    const ns = await this.ctx.access.namespacePath(scope.warehouse, id.namespace);
    const path = this.ctx.access.objectPath(ns.path, 'table', record.id);
    if (!(await this.ctx.access.allowed(scope, 'table:read-metadata', path))) return {};
    // A caller a policy restricts gets no storage access to the table's own dataset (it reads through DescribeTable).
    if ((await this.ctx.policies.restricted(scope.caller, scope.warehouse.tenant, record.id)).length > 0) return {};
    // execute
    return (await this.info(scope, id, record.uuid, record.location, propertiesOf(record), path, true, isManaged(record))).storageOptions;
  }

  async exists(request: CatalogRequest, idInput: unknown): Promise<boolean> {
    const scope = await this.ctx.scope(request);
    try {
      await this.requireTable(scope, idInput, ['table:read-metadata']);
      return true;
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') return false;
      throw e;
    }
  }

  /** Removes the table from the catalog, then deletes its data (unless its location is shared or outside the warehouse). */
  async drop(request: CatalogRequest, idInput: unknown): Promise<LanceTableInfo> {
    const scope = await this.ctx.scope(request);
    const required = await this.requireTable(scope, idInput, ['table:drop', 'table:write-data'], true);
    // Soft while the warehouse keeps dropped objects (dropped/soft-drop.ts): a Lance drop deletes the data, so the
    // deletion waits for the retention's end unless the caller may purge at once; grants and versions stay for an undrop.
    const { id, record, path } = required;
    if (
      await softDrop(this.ctx, scope, record, {
        purge: true,
        path,
        object: describeObject(scope.warehouse.name, id.namespace, id.name),
        notFound: () => tableNotFound(id),
        change: { kind: 'lance-table.dropped', namespace: id.namespace, name: id.name, uuid: record.uuid, data: { location: record.location } },
      })
    ) {
      return { id: [...record.namespace, record.name], location: record.location, properties: propertiesOf(record), storageOptions: {} };
    }
    const removed = await this.removeRequired(scope, required, 'lance-table.dropped');
    // Its policy-derived datasets being written here stop first (bounded), so the purge finds what they wrote (policy-lifecycle.ts).
    await this.policyReads.flights.settle(removed.uuid);
    await purgeLocation(this.ctx, scope, removed);
    return { id: [...removed.namespace, removed.name], location: removed.location, properties: propertiesOf(removed), storageOptions: {} };
  }

  /** Removes the table from the catalog; its data stays where it is. */
  async deregister(request: CatalogRequest, idInput: unknown): Promise<LanceTableInfo> {
    const scope = await this.ctx.scope(request);
    // The answer carries the table's location and properties: whoever may only drop it may not read those.
    const removed = await this.remove(scope, idInput, ['table:drop', 'table:read-metadata'], 'lance-table.deregistered');
    return { id: [...removed.namespace, removed.name], location: removed.location, properties: propertiesOf(removed), storageOptions: {} };
  }

  /** Deletes the files of a Lance table already removed from the catalog (a cascading namespace drop). */
  async purgeDropped(scope: RequestScope, record: CatalogObjectRecord): Promise<void> {
    await this.ctx.access.forgetSecurable({ kind: 'table', id: record.id });
    await this.policyReads.flights.settle(record.uuid);
    await purgeLocation(this.ctx, scope, record);
  }

  /**
   * The Lance table `idInput` names, once the caller holds every privilege on it (each decision audited, an allow too
   * with `recordAllow`); a missing table is a 404 to whoever may see its namespace, a 403 to anyone else.
   */
  async requireTable(
    scope: RequestScope,
    idInput: unknown,
    privileges: Privilege[],
    recordAllow = false,
  ): Promise<{ id: LanceTableId; record: CatalogObjectRecord; path: SecurablePath }> {
    const id = checkLanceTableId(idInput);
    const [ns, record] = await Promise.all([
      this.ctx.access.namespacePath(scope.warehouse, id.namespace),
      this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name),
    ]);
    const object = describeObject(scope.warehouse.name, id.namespace, id.name);
    if (!record || record.kind !== LANCE_TABLE) return this.ctx.access.notFoundOrForbidden(scope, ns.path, privileges[0]!, object, () => tableNotFound(id));
    const path = this.ctx.access.objectPath(ns.path, 'table', record.id);
    await this.ctx.access.requireAll(scope, privileges, path, { object, recordAllow });
    return { id, record, path };
  }

  private async remove(
    scope: RequestScope,
    idInput: unknown,
    privileges: Privilege[],
    kind: 'lance-table.dropped' | 'lance-table.deregistered',
  ): Promise<CatalogObjectRecord> {
    return this.removeRequired(scope, await this.requireTable(scope, idInput, privileges, true), kind);
  }

  private async removeRequired(
    scope: RequestScope,
    { id, record }: { id: LanceTableId; record: CatalogObjectRecord },
    kind: 'lance-table.dropped' | 'lance-table.deregistered',
  ): Promise<CatalogObjectRecord> {
    await this.ctx.store.transaction(async (repo) => {
      if (!(await repo.deleteObject(scope.warehouse.name, id.namespace, id.name, LANCE_TABLE, record.id))) throw tableNotFound(id);
      await recordChanges(this.ctx, repo, scope.warehouse.name, scope.caller, {
        kind,
        namespace: id.namespace,
        name: id.name,
        uuid: record.uuid,
        data: { location: record.location },
      });
    });
    await this.ctx.store.lanceVersions.deleteTable(record.id);
    await this.ctx.access.forgetSecurable({ kind: 'table', id: record.id });
    return record;
  }

  /** The id of a table being created (declare, register, CreateTable with data): 400 or 406 (the root namespace). */
  checkCreatable(idInput: unknown): LanceTableId {
    const id = checkLanceTableId(idInput);
    // A table being created: the rule for new names (issue 41).
    id.namespace.forEach((level, i) => checkNewName(level, `namespace level ${i + 1}`));
    checkNewName(id.name, 'table name');
    if (id.namespace.length === 0)
      throw new CatalogError('ERR_NOT_IMPLEMENTED', 'Tables in the root namespace are not supported: create the table in a namespace');
    return id;
  }

  private async info(
    scope: RequestScope,
    id: LanceTableId,
    tableUuid: string,
    location: string,
    properties: Record<string, string>,
    path: SecurablePath,
    vend: boolean,
    managedVersioning: boolean,
  ): Promise<LanceTableInfo> {
    let storageOptions: Record<string, string> = {};
    if (vend) {
      // A table of catalog-managed versions: the credentials may not write its published manifests (only the catalog's
      // CreateTableVersion does), so a client that ignores managed_versioning cannot commit beside the catalog.
      // The catalog's own jobs (optimize through the loopback: Caller.catalogJob) keep the manifests writable: their
      // versions go through CreateTableVersion too, and cleaning up old versions deletes old manifests.
      const sealed = managedVersioning && scope.caller.catalogJob !== true ? ('lance-manifests' as const) : undefined;
      const vended = await vendedAccess(this.ctx, scope, { identifier: id, tableUuid, location, path, sealed });
      storageOptions = lanceStorageOptions(vended.config, refreshOffsetOf(scope.warehouse.properties));
    }
    return { id: [...id.namespace, id.name], location, properties, storageOptions };
  }
}

function checkVend(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw validation('vend_credentials must be a boolean');
  return value;
}
