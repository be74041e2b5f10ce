/**
 * Lakegate's answers to Trino's OPA access control (issue 54; the plugin's request and answer shapes are the
 * protocol package's trino-opa/): allow/deny and filtering from the catalog's privileges and grants, through the
 * same Authorizer port (AccessService) and decision cache as every catalog request, so a revoked grant holds here
 * within the authorization cache bound; row filters and column masks are in expressions.ts. Each method runs
 * validate → authorize (the asking principal must be a declared trino-opa enforcer; the user one it may act for) →
 * execute. An engine that is no enforcer, or a user it may not act for, is told "no" to everything (never an error:
 * the plugin fails the query on an error, and a "no" says the same with a reason in the audit trail).
 *
 * Trino's names map one to one: catalog → the warehouse declared with that Trino catalog name, schema → the
 * one-level namespace of that name, table → the table or view of that name; Trino's user and groups → the asserted
 * user and asserted groups of that name (session.ts). Operations the map below does not name are denied. On a view,
 * reading operations need view:read (VIEW_PRIVILEGES), as loading the view through the Iceberg API does.
 */
import type { TrinoOpaRequest, TrinoOpaResource } from '@lakegate/protocol';
import { validation } from '../../errors/catalog-error.js';
import type { Privilege } from '../privileges.js';
import type { ServiceContext } from '../context.js';
import type { Caller, CatalogObjectRecord, Warehouse } from '../ports/index.js';
import type { SecurablePath } from '../ports/access.js';
import type { OpaSession, OpaSessions } from './session.js';
import type { TrinoTableRecords } from './table-records.js';
import { type BatchedNeed, BatchedFilter } from './decisions-batch.js';

/** Operations allowed to every user the engine may act for (nothing of Lakegate's is touched). */
const SESSION_OPERATIONS = new Set(['ExecuteQuery', 'SetSystemSessionProperty', 'ShowFunctions', 'FilterFunctions']);
/** Catalog-level operations: allowed on a mapped catalog. */
const CATALOG_OPERATIONS = new Set(['AccessCatalog', 'ShowSchemas', 'FilterCatalogs', 'SetCatalogSessionProperty']);
/**
 * The operation tables below are Maps: an operation is Trino's string, and a plain object would answer a name of
 * Object.prototype's (`constructor`, `toString`, …) with its member, a "privilege" no grant holds but an
 * administrator is allowed (before: `constructor` on a schema was allowed to an administrator).
 */
const operations = (table: Record<string, Privilege | 'any'>): ReadonlyMap<string, Privilege | 'any'> => new Map(Object.entries(table));
/** Schema-level operations and the privilege each needs on the namespace ('any': some privilege on or below it). */
const SCHEMA_OPERATIONS = operations({
  FilterSchemas: 'any',
  ShowTables: 'any',
  ShowCreateSchema: 'any',
  CreateTable: 'table:create',
  CreateView: 'view:create',
  DropSchema: 'namespace:drop',
});
/** Table-level operations and the privilege each needs on the table. */
const TABLE_OPERATIONS = operations({
  FilterTables: 'any',
  FilterColumns: 'table:read-metadata',
  ShowColumns: 'table:read-metadata',
  ShowCreateTable: 'table:read-metadata',
  SelectFromColumns: 'table:read-data',
  // Creating a view that reads the table (Trino asks it of the table as the view's creator).
  CreateViewWithSelectFromColumns: 'table:read-data',
  InsertIntoTable: 'table:write-data',
  DeleteFromTable: 'table:write-data',
  UpdateTableColumns: 'table:write-data',
  TruncateTable: 'table:write-data',
  DropTable: 'table:drop',
});
/** What a table operation needs when the name is a view's (operations left out are denied on a view). */
const VIEW_PRIVILEGES = operations({
  FilterTables: 'any',
  FilterColumns: 'view:read',
  ShowColumns: 'view:read',
  ShowCreateTable: 'view:read',
  SelectFromColumns: 'view:read',
  CreateViewWithSelectFromColumns: 'view:read',
  DropView: 'view:drop',
});
const INFORMATION_SCHEMA = 'information_schema';

/** A resolved Trino table: the warehouse, the Lakegate path to authorize on, and the record when the table (view) exists. */
export interface TrinoTableRef {
  /** A table, or a view of that name (undefined: neither exists). */
  kind?: 'table' | 'view';
  warehouse: Warehouse;
  namespace: string[];
  name: string;
  path: SecurablePath;
  objectId?: string;
  record?: CatalogObjectRecord;
}

export class TrinoOpaDecisions {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly sessions: OpaSessions,
    private readonly records: TrinoTableRecords,
  ) {}

  /** opa.policy.uri: one operation, at most one resource. */
  async allow(engine: Caller, request: TrinoOpaRequest): Promise<{ result: boolean }> {
    // validate
    const { operation, resource } = actionOf(request);
    // authorize
    const session = await this.sessionOf(engine, request);
    if (!session?.known) return { result: false };
    // execute
    return { result: await this.decide(session, operation, resource ?? {}) };
  }

  /** opa.policy.batched-uri: the indices of `filterResources` allowed (FilterColumns: of its one table's columns). */
  async batch(engine: Caller, request: TrinoOpaRequest): Promise<{ result: number[] }> {
    // validate
    const { operation } = actionOf(request);
    const resources = request.input.action.filterResources ?? [];
    // authorize
    const session = await this.sessionOf(engine, request);
    if (!session?.known) return { result: [] };
    // execute
    if (operation === 'FilterColumns') {
      const table = resources[0]?.table;
      if (resources.length !== 1 || table === undefined) return { result: [] };
      return { result: (await this.decide(session, operation, resources[0]!)) ? (table.columns ?? []).map((_c, i) => i) : [] };
    }
    if (operation === 'FilterViewQueryOwnedBy')
      return { result: resources.flatMap((r, i) => (r.user?.user === request.input.context.identity.user ? [i] : [])) };
    const need = batchedNeed(operation);
    if (need !== undefined) return { result: await new BatchedFilter(this.ctx, session, (s, c) => this.warehouseOf(s, c)).filter(need, resources) };
    const answers = await Promise.all(resources.map((r) => this.decide(session, operation, r)));
    return { result: answers.flatMap((ok, i) => (ok ? [i] : [])) };
  }

  /** The session of a request, or undefined when the engine is no trino-opa enforcer. */
  async sessionOf(engine: Caller, request: TrinoOpaRequest): Promise<OpaSession | undefined> {
    const { user, groups } = request.input.context.identity;
    return this.sessions.open(engine, user, groups);
  }

  /** The Lakegate table or view a Trino table names, when its catalog is mapped (undefined: not one of Lakegate's). */
  async tableOf(session: OpaSession, t: { catalogName: string; schemaName: string; tableName: string }): Promise<TrinoTableRef | undefined> {
    const warehouse = await this.warehouseOf(session, t.catalogName);
    if (!warehouse) return undefined;
    const namespace = [t.schemaName];
    const [ns, record] = await Promise.all([
      this.ctx.access.namespacePath(warehouse, namespace),
      this.records.get(warehouse.name, namespace, t.tableName, () => this.ctx.store.repository.getObject(warehouse.name, namespace, t.tableName)),
    ]);
    if (record?.kind !== 'table' && record?.kind !== 'view') return { warehouse, namespace, name: t.tableName, path: ns.path };
    const path = this.ctx.access.objectPath(ns.path, record.kind, record.id);
    return { kind: record.kind, warehouse, namespace, name: t.tableName, path, objectId: record.id, record };
  }

  private async decide(session: OpaSession, operation: string, r: TrinoOpaResource): Promise<boolean> {
    if (SESSION_OPERATIONS.has(operation)) return true;
    if (operation === 'ViewQueryOwnedBy' || operation === 'KillQueryOwnedBy')
      return r.user?.user !== undefined && r.user.user === session.user.members[0]!.name;
    if (CATALOG_OPERATIONS.has(operation)) return r.catalog !== undefined && session.catalogs.has(r.catalog.name);
    const schemaPrivilege = SCHEMA_OPERATIONS.get(operation);
    if (schemaPrivilege !== undefined) {
      const schema = r.schema ?? (r.table ? { catalogName: r.table.catalogName, schemaName: r.table.schemaName } : undefined);
      if (!schema) return false;
      const warehouse = await this.warehouseOf(session, schema.catalogName);
      if (!warehouse) return false;
      if (schema.schemaName === INFORMATION_SCHEMA) return schemaPrivilege === 'any';
      const ns = await this.ctx.access.namespacePath(warehouse, [schema.schemaName]);
      return !ns.missing && this.ctx.access.allowed({ warehouse, caller: session.user }, schemaPrivilege, ns.path);
    }
    const [tablePrivilege, viewPrivilege] = [TABLE_OPERATIONS.get(operation), VIEW_PRIVILEGES.get(operation)];
    if ((tablePrivilege ?? viewPrivilege) !== undefined && r.table !== undefined) {
      if (r.table.schemaName === INFORMATION_SCHEMA)
        return tablePrivilege === 'any' || tablePrivilege === 'table:read-data' || tablePrivilege === 'table:read-metadata'
          ? session.catalogs.has(r.table.catalogName)
          : false;
      const table = await this.tableOf(session, r.table);
      if (table?.objectId === undefined) return false;
      const privilege = table.kind === 'view' ? viewPrivilege : tablePrivilege;
      if (privilege === undefined) return false;
      return this.ctx.access.allowed({ warehouse: table.warehouse, caller: session.user }, privilege, table.path);
    }
    return false;
  }

  private async warehouseOf(session: OpaSession, catalog: string): Promise<Warehouse | undefined> {
    const name = session.catalogs.get(catalog);
    if (name === undefined) return undefined;
    return (await this.ctx.scope({ caller: session.user, warehouse: name }).catch(() => undefined))?.warehouse;
  }
}

/** What a schema- or table-level operation needs, for the batched path (decisions-batch.ts); undefined for the others. */
function batchedNeed(operation: string): BatchedNeed | undefined {
  if (SESSION_OPERATIONS.has(operation) || CATALOG_OPERATIONS.has(operation)) return undefined;
  const schema = SCHEMA_OPERATIONS.get(operation);
  if (schema !== undefined) return { level: 'schema', privilege: schema };
  const [table, view] = [TABLE_OPERATIONS.get(operation), VIEW_PRIVILEGES.get(operation)];
  return (table ?? view) !== undefined ? { level: 'table', table, view } : undefined;
}

/** The operation and resource of a request (the protocol schema checked their shapes). */
function actionOf(request: TrinoOpaRequest): { operation: string; resource: TrinoOpaResource | undefined } {
  const action = request.input.action;
  if (!/^[A-Za-z]{1,100}$/.test(action.operation)) throw validation('input.action.operation must be a Trino operation name');
  return { operation: action.operation, resource: action.resource };
}
