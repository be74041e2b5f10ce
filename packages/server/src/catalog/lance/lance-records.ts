/**
 * The catalog's record of a Lance table: a catalog_objects row of kind 'lance-table' whose metadata_location is the
 * dataset location and whose metadata is `{"format":"lance","properties":{...}}`, with `managedVersioning` when the
 * catalog holds its versions (managed.ts) and `materializedView` when it is a materialized view's table
 * (materialized-view-definition.ts). Written by one function (DeclareTable, RegisterTable, CreateMaterializedView) and
 * read back by propertiesOf, which answers a view's definition among the properties. Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { TableContext } from '../kit/table-kit.js';
import { normalizeLocation } from '../locations.js';
import { recordChanges } from '../outbox/changes.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { type MaterializedViewDefinition, materializedViewProperties } from './materialized-view-definition.js';
import { LANCE_TABLE, type LanceTableId } from './table-id.js';

interface StoredLanceMetadata {
  format: 'lance';
  properties: Record<string, string>;
  /** Set when declared in a warehouse that manages Lance versions (managed.ts). */
  managedVersioning?: boolean;
  /** Set when created by CreateMaterializedView: the view's definition. */
  materializedView?: MaterializedViewDefinition;
}

export interface LanceRecordInput {
  id: LanceTableId;
  uuid: string;
  location: string;
  properties: Record<string, string>;
  /** An earlier Lance table of that name is swapped out in the same transaction (never an Iceberg table or view). */
  replace?: boolean;
  /** The catalog chose and owns the location (declared, not registered). */
  owned?: boolean;
  managedVersioning?: boolean;
  materializedView?: MaterializedViewDefinition;
}

/** Records the table with its creator's owner grant and its change event, in one transaction. Returns the new catalog id. */
export async function insertLanceRecord(ctx: TableContext, scope: RequestScope, input: LanceRecordInput): Promise<string> {
  const { id, uuid, location, properties, replace = false, owned = false, managedVersioning = false, materializedView } = input;
  const now = ctx.clock.now();
  const metadata: StoredLanceMetadata = {
    format: 'lance',
    properties,
    ...(managedVersioning ? { managedVersioning } : {}),
    ...(materializedView ? { materializedView } : {}),
  };
  const objectId = ctx.newUuid();
  let replaced: string | undefined;
  const object = `${scope.warehouse.name}/${formatIdentifier(id.namespace, id.name)}`;
  // The creator's owner grant commits with the table (access/creator-ownership.ts), before its event.
  const owner = await ctx.access.creatorGrant(scope);
  const outcome = await ctx.store.transaction(async (repo, ports) => {
    if (!(await repo.getNamespace(scope.warehouse.name, id.namespace))) return 'no-namespace' as const;
    const previous = replace ? await repo.getObject(scope.warehouse.name, id.namespace, id.name) : undefined;
    if (previous?.kind === LANCE_TABLE) {
      await repo.deleteObject(scope.warehouse.name, id.namespace, id.name, LANCE_TABLE);
      replaced = previous.id;
    }
    const ok = await repo.insertObject({
      id: objectId,
      warehouse: scope.warehouse.name,
      namespace: id.namespace,
      name: id.name,
      kind: LANCE_TABLE,
      uuid,
      location: normalizeLocation(location),
      metadataLocation: location,
      metadataJson: JSON.stringify(metadata),
      createdAtMs: now,
      updatedAtMs: now,
      locationOwned: owned,
    });
    if (!ok) return 'exists' as const;
    await owner.record(ports, { kind: 'table', id: objectId }, object);
    await recordChanges(ctx, repo, scope.warehouse.name, scope.caller, {
      kind: owned ? 'lance-table.declared' : 'lance-table.registered',
      namespace: id.namespace,
      name: id.name,
      uuid,
      data: { location, ...(replaced ? { replaced: true } : {}), ...(materializedView ? { 'materialized-view': materializedView.kind } : {}) },
    });
    return 'ok' as const;
  });
  if (outcome === 'no-namespace') throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(id.namespace)}`);
  if (outcome === 'exists') throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(id.namespace, id.name)}`);
  if (replaced) {
    await ctx.access.forgetSecurable({ kind: 'table', id: replaced });
    await ctx.store.lanceVersions.deleteTable(replaced);
  }
  await owner.committed();
  return objectId;
}

function storedMetadata(record: CatalogObjectRecord): Partial<StoredLanceMetadata> {
  try {
    return JSON.parse(record.metadataJson) as Partial<StoredLanceMetadata>;
  } catch {
    return {};
  }
}

/** The table's properties as answered: those set on it, and a materialized view's definition (materialized_view.*). */
export function propertiesOf(record: CatalogObjectRecord): Record<string, string> {
  const parsed = storedMetadata(record);
  return { ...(parsed.properties ?? {}), ...(parsed.materializedView ? materializedViewProperties(parsed.materializedView) : {}) };
}

/** The definition of a materialized view's table; undefined for any other table. */
export function materializedViewOf(record: CatalogObjectRecord): MaterializedViewDefinition | undefined {
  return storedMetadata(record).materializedView;
}
