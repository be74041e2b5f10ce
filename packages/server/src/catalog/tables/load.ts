/**
 * loadTable and tableExists. Loading needs `table:read-metadata` (held or
 * implied by read-data/write-data); vended credentials follow the caller's
 * privileges on the table (write-data → read-write, read-data → read,
 * metadata only → none). HEAD answers to whoever may see the table.
 */
import { hash } from 'node:crypto';
import { Doorkeeper } from '../doorkeeper.js';
import { BoundedMap } from '../bounded-map.js';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { TABLE_VISIBILITY } from '../privileges.js';
import type { CatalogRequest } from '../context.js';
import type { DelegationMechanism } from '../ports/signing.js';
import type { Warehouse } from '../ports/index.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { refSnapshotsOnlyJson } from '../metadata/index.js';
import { SCAN_PLANNING_MODE, tablePlanningMode } from '../kit/planning-mode.js';
import { NO_ACCESS, type TableAccess, type TableContext, missingTable, requireTable, resolveTable, tableObject, vendedAccess } from '../kit/table-kit.js';
import { schemasOf } from '../policies/follow.js';

export type SnapshotsMode = 'all' | 'refs';

export interface LoadTableOptions {
  snapshots?: string | undefined;
  vend: boolean;
  /** The mechanisms the client supports (X-Iceberg-Access-Delegation); the warehouse picks one. */
  delegation?: readonly DelegationMechanism[];
  /** The client's If-None-Match header: a matching ETag answers "not modified". */
  ifNoneMatch?: string | undefined;
}

export type LoadTableResult =
  | { notModified: true; etag: string }
  | {
      notModified: false;
      etag: string;
      metadataLocation: string;
      snapshots: SnapshotsMode;
      /**
       * The JSON to send as the metadata, spliced into the response as is: the stored metadata file's exact JSON
       * (snapshots=all), or that JSON trimmed to the referenced snapshots (snapshots=refs, see refsJsonOf).
       */
      metadataJson: string;
      access: TableAccess;
      /** The catalog-supplied labels' JSON (catalog/ports/labels.ts), when the table has some. */
      labelsJson: string | undefined;
    };

/**
 * ETags of recent metadata files by snapshot mode, then location (a pure function of both; bounded,
 * cleared when full; only files loaded twice are kept, see catalog/doorkeeper.ts). By location itself,
 * not a key built from it: the location is the stored row's own string on every load of an unchanged
 * table, whose hash V8 keeps, where a new key string would be hashed again on every load.
 */
const etags = { all: new BoundedMap<string, string>({ maxEntries: 10_000 }), refs: new BoundedMap<string, string>({ maxEntries: 10_000 }) };
const etagDoor = new Doorkeeper();

/**
 * The ETag loadTable (snapshots=all) answers for this metadata file in this warehouse: create, register and commit
 * answer it too (apache/iceberg#14760), so a client's If-None-Match after any of them is "not modified" until the
 * table (or its warehouse's storage, below) changes.
 */
export const tableEtag = (warehouse: Warehouse, metadataLocation: string): string => withWarehouse(etagOf(metadataLocation, 'all'), warehouse);

/**
 * A load's answer carries more than the metadata file: its config comes from the warehouse (the storage profile's
 * endpoint, region and path style, the signer, the planning mode). So the ETag also names the warehouse's profile,
 * secret and properties (issue 52: after a storage profile change an engine revalidating with If-None-Match got 304
 * and kept its old endpoint until the table changed). Per warehouse record, which the warehouse cache replaces
 * whenever the warehouse changes; one string append per load.
 */
const warehouseParts = new WeakMap<Warehouse, string>();
function withWarehouse(etag: string, warehouse: Warehouse): string {
  let part = warehouseParts.get(warehouse);
  if (part === undefined) {
    part = hash('sha256', JSON.stringify([warehouse.storageProfile, warehouse.secretId ?? null, warehouse.properties]), 'base64url').slice(0, 12);
    warehouseParts.set(warehouse, part);
  }
  return `${etag.slice(0, -1)}.${part}"`;
}

/** A weak ETag per metadata file and snapshot mode: metadata files are immutable, so the location identifies the content. */
function etagOf(metadataLocation: string, snapshots: 'all' | 'refs'): string {
  const kept = etags[snapshots];
  let etag = kept.get(metadataLocation);
  if (etag === undefined) {
    etag = `W/"${hash('sha256', `${metadataLocation}\n${snapshots}`, 'base64url').slice(0, 32)}"`;
    if (!etagDoor.admit(metadataLocation)) return etag;
    kept.set(metadataLocation, etag);
  }
  return etag;
}

/**
 * snapshots=refs answers per metadata file, which is immutable: trimmed once (a parse and a write of the whole
 * file) and then answered like snapshots=all, instead of on every load. Used only for the very JSON it was
 * trimmed from (the store may hold other JSON at the same location after a drop and re-create); only files
 * loaded twice are kept (catalog/doorkeeper.ts); bounded by the characters kept (catalog/bounded-map.ts).
 */
const refsJsons = new BoundedMap<string, { source: string; json: string }>({
  maxEntries: Infinity,
  maxSize: 32 * 1024 * 1024,
  sizeOf: (e) => e.source.length + e.json.length,
});
const refsDoor = new Doorkeeper();

function refsJsonOf(metadataLocation: string, metadataJson: string): string {
  const hit = refsJsons.get(metadataLocation);
  if (hit !== undefined && hit.source === metadataJson) return hit.json;
  const json = refSnapshotsOnlyJson(metadataJson);
  if (hit !== undefined || refsDoor.admit(metadataLocation)) refsJsons.set(metadataLocation, { source: metadataJson, json });
  return json;
}

export async function loadTable(
  ctx: TableContext,
  request: CatalogRequest,
  namespace: string[],
  name: string,
  options: LoadTableOptions,
): Promise<LoadTableResult> {
  // validate
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  const snapshots = options.snapshots ?? 'all';
  if (snapshots !== 'all' && snapshots !== 'refs') throw validation('snapshots must be "all" or "refs"');
  const scope = await ctx.scope(request);
  // A federated table is read from its remote catalog first (federation/mirror.ts): what is checked and served is the remote's current state.
  await ctx.federation?.seeTable(scope, levels, name);
  // authorize (handing out credentials is recorded in the audit trail)
  const { record, path } = await requireTable(ctx, scope, levels, name, ['table:read-metadata']);
  // A caller a row-filter or column-mask policy applies to gets the metadata only (policies/gate.ts): no credentials,
  // no signer, server-side planning asked for; and never "not modified", whose cached answer may predate the policy.
  const restricted = (await ctx.policies.restricted(scope.caller, scope.warehouse.tenant, record.id)).length > 0;
  // A declared read-restrictions enforcer acting for a restricted user is told what to apply (and never 304: the ETag
  // does not follow policies).
  const readRestrictions =
    restricted || ctx.policies.knownFreeSync(scope.warehouse.tenant, record.id)
      ? undefined
      : await ctx.policies.readRestrictions(scope.caller, scope.warehouse.tenant, record.id, () => schemasOf(record));
  // execute
  await requireMetadataFile(ctx, scope, record.metadataLocation);
  // Labels change without a commit: an answer that carries them has an ETag of its own, so "not modified" never hides a change.
  const etag = withWarehouse(
    record.labelsJson === undefined ? etagOf(record.metadataLocation, snapshots) : labelledEtag(record.metadataLocation, snapshots, record.labelsJson),
    scope.warehouse,
  );
  if (!restricted && readRestrictions === undefined && options.ifNoneMatch && options.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*'))
    return { notModified: true, etag };
  // record.uuid is the table's table-uuid: no need to parse the metadata for it.
  const vended =
    options.vend && !restricted
      ? await vendedAccess(ctx, scope, {
          identifier: { namespace: record.namespace, name: record.name },
          tableUuid: record.uuid,
          location: record.location,
          path,
          delegation: options.delegation,
        })
      : NO_ACCESS;
  const planningMode = restricted ? 'server' : tablePlanningMode(scope.warehouse, record.metadataJson);
  const planned = planningMode === undefined ? vended : { ...vended, config: { ...vended.config, [SCAN_PLANNING_MODE]: planningMode } };
  const access = readRestrictions === undefined ? planned : { ...planned, readRestrictions };
  return {
    notModified: false,
    etag,
    snapshots,
    metadataLocation: record.metadataLocation,
    metadataJson: snapshots === 'refs' ? refsJsonOf(record.metadataLocation, record.metadataJson) : record.metadataJson,
    access,
    labelsJson: record.labelsJson,
  };
}

/** The ETag of an answer with labels: of the metadata file, the snapshot mode and the labels (not kept: few tables have labels). */
const labelledEtag = (metadataLocation: string, snapshots: 'all' | 'refs', labelsJson: string): string =>
  `W/"${hash('sha256', `${metadataLocation}\n${snapshots}\n${labelsJson}`, 'base64url').slice(0, 32)}"`;

/** HEAD: true for a table the caller may see; false for a missing one in a namespace it may see; 403 otherwise. */
export async function tableExists(ctx: TableContext, request: CatalogRequest, namespace: string[], name: string): Promise<boolean> {
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  const scope = await ctx.scope(request);
  await ctx.federation?.seeTable(scope, levels, name);
  const resolved = await resolveTable(ctx, scope, levels, name);
  const object = tableObject(scope, levels, name);
  if (!resolved.record) {
    return missingTable(ctx, scope, resolved, 'table:read-metadata', levels, name).catch((e: unknown) => {
      if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') return false;
      throw e;
    });
  }
  const path = ctx.access.objectPath(resolved.namespacePath, 'table', resolved.record.id);
  const answers = await ctx.access.allows(scope, [
    ...TABLE_VISIBILITY.map((privilege) => ({ privilege, path })),
    { privilege: 'table:list', path: resolved.namespacePath },
  ]);
  if (!answers.some(Boolean)) await ctx.access.require(scope, 'table:read-metadata', path, { object });
  return true;
}

/**
 * The current metadata file must still exist; the cached copy is served
 * only while it does. Metadata files are immutable and only ever deleted by
 * a purge, so on object stores (where a check is a HEAD request per load)
 * the pointer is trusted; on local files the check is a stat.
 */
async function requireMetadataFile(
  ctx: TableContext,
  scope: { warehouse: Parameters<TableContext['storageFor']>[0] },
  metadataLocation: string,
): Promise<void> {
  const io = await ctx.storageFor(scope.warehouse);
  if (io.existsIsCheap(metadataLocation) && !(await io.exists(metadataLocation))) {
    throw new CatalogError('ERR_METADATA_FILE_NOT_FOUND', `Failed to open input stream for file: ${metadataLocation}`);
  }
}
