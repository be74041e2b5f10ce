/** What every table operation shares: its context, the errors clients expect, locations, and resolving a table for authorization. */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import { mayKnowObject } from './visibility.js';
import type { SecurablePath } from '../ports/access.js';
import type { Privilege } from '../privileges.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { CredentialService, StorageCredentialEntry } from '../credentials/credential-service.js';
import type { LanceCommitQueue } from '../lance-commit-queue.js';
import { formatIdentifier, type TableIdentifier } from '../identifiers.js';
import { namespaceDirectory, objectSegment } from '../default-locations.js';
import { checkLocation, isAllowedLocation } from '../location-policy.js';
import { nextMetadataLocation } from '../metadata/index.js';
import type { TableMetadata } from '../metadata/index.js';
import type { NamespaceService } from '../namespaces.js';
import type { CatalogObjectRecord, PolicyEnforcement } from '../ports/index.js';
import { chooseMechanism, signingConfig } from './delegation.js';
import type { DelegationMechanism, StorageSigning } from '../ports/signing.js';
import type { SealedObjects } from '../ports/credentials.js';

export interface TableContext extends ServiceContext {
  namespaces: NamespaceService;
  credentials: CredentialService;
  signing: StorageSigning;
  /** Row-filter and column-mask policies: a restricted caller gets no storage access to the table (policies/gate.ts). */
  policies: PolicyEnforcement;
  /** The order of commits to Lance tables' versions, and optimize's fence (lance-commit-queue.ts); none: no queue. */
  lanceCommits?: LanceCommitQueue | undefined;
}

/** config and storage-credentials of a LoadTableResult (or a Lance table's storage options before mapping). */
export interface TableAccess {
  config: Record<string, string>;
  storageCredentials: StorageCredentialEntry[];
  /** With remote signing (Iceberg 1.11+, apache/iceberg#16822): what the signer client passes back; the settings are in config. */
  remoteSigningConfig?: { properties?: Record<string, string> };
  /** For a declared read-restrictions enforcer acting for a restricted user (policies/gate.ts): what it must apply. */
  readRestrictions?: Record<string, unknown>;
}

export const NO_ACCESS: TableAccess = { config: {}, storageCredentials: [] };

export const tableNotFound = (namespace: string[], name: string) =>
  new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(namespace, name)}`);

export function tableExists(existing: CatalogObjectRecord | undefined, namespace: string[], name: string): CatalogError {
  if (existing?.kind === 'view') return new CatalogError('ERR_VIEW_EXISTS', `View with same name already exists: ${formatIdentifier(namespace, name)}`);
  return new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(namespace, name)}`);
}

export const tableObject = (scope: RequestScope, namespace: readonly string[], name: string): string => describeObject(scope.warehouse.name, namespace, name);

/** A table as authorization sees it: its namespace's path (and whether the namespace exists), and the table if it exists. */
export interface ResolvedTable {
  namespacePath: SecurablePath;
  namespaceMissing: boolean;
  record: CatalogObjectRecord | undefined;
  /** The object of another kind holding the name, if any (a view, or a Lance table for Iceberg). */
  other: CatalogObjectRecord | undefined;
}

export async function resolveTable(
  ctx: ServiceContext,
  scope: RequestScope,
  namespace: string[],
  name: string,
  kind: CatalogObjectRecord['kind'] = 'table',
): Promise<ResolvedTable> {
  const [ns, record] = await Promise.all([
    ctx.access.namespacePath(scope.warehouse, namespace),
    ctx.store.repository.getObject(scope.warehouse.name, namespace, name),
  ]);
  return {
    namespacePath: ns.path,
    namespaceMissing: ns.missing,
    record: record?.kind === kind ? record : undefined,
    other: record?.kind === kind ? undefined : record,
  };
}

/**
 * A missing table: "not found" to a caller who may see its namespace or the object of another kind that
 * holds the name (engines probe views and tables in turn); 403 to anyone else.
 */
export async function missingTable(
  ctx: ServiceContext,
  scope: RequestScope,
  resolved: ResolvedTable,
  privilege: Privilege,
  namespace: string[],
  name: string,
): Promise<never> {
  if (await mayKnowObject(ctx.access, scope, resolved.namespacePath, resolved.other)) throw tableNotFound(namespace, name);
  return ctx.access.notFoundOrForbidden(scope, resolved.namespacePath, privilege, tableObject(scope, namespace, name), () => tableNotFound(namespace, name));
}

/**
 * An existing table on which the caller holds every one of the privileges;
 * otherwise 403, or 404 when the table is missing and the caller may see
 * its namespace. A table in a missing namespace is a missing table (clients
 * fall back to metadata tables only on NoSuchTable).
 */
export async function requireTable(
  ctx: ServiceContext,
  scope: RequestScope,
  namespace: string[],
  name: string,
  privileges: Privilege[],
  recordAllow = false,
): Promise<{ record: CatalogObjectRecord; path: SecurablePath; namespacePath: SecurablePath }> {
  const resolved = await resolveTable(ctx, scope, namespace, name);
  const object = tableObject(scope, namespace, name);
  if (!resolved.record) return missingTable(ctx, scope, resolved, privileges[0]!, namespace, name);
  const path = ctx.access.objectPath(resolved.namespacePath, 'table', resolved.record.id);
  await ctx.access.requireAll(scope, privileges, path, { object, recordAllow });
  return { record: resolved.record, path, namespacePath: resolved.namespacePath };
}

/** The path of an existing namespace on which the caller holds the privileges (to create something in it), or the matching refusal. */
export async function requireNamespaceFor(
  ctx: ServiceContext,
  scope: RequestScope,
  namespace: string[],
  name: string,
  privileges: Privilege[],
): Promise<SecurablePath> {
  const resolved = await ctx.access.namespacePath(scope.warehouse, namespace);
  const object = tableObject(scope, namespace, name);
  if (resolved.missing) {
    return ctx.access.notFoundOrForbidden(
      scope,
      resolved.path,
      privileges[0]!,
      object,
      () => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(namespace)}`),
    );
  }
  await ctx.access.requireAll(scope, privileges, resolved.path, { object, recordAllow: true });
  return resolved.path;
}

/**
 * Credentials for the table in the mode the caller's privileges on `path` allow; none for metadata-only access.
 * Always for the table's location and nothing else: its `write.*.path` properties lie inside it (tables/paths.ts).
 */
export async function vendedAccess(
  ctx: TableContext,
  scope: RequestScope,
  request: {
    identifier: TableIdentifier;
    tableUuid: string;
    location: string;
    path: SecurablePath;
    refreshed?: boolean;
    delegation?: readonly DelegationMechanism[];
    /** Objects the credential must not write even in read-write mode (VendRequest.sealed; Lance tables of catalog-managed versions). */
    sealed?: SealedObjects | undefined;
  },
): Promise<TableAccess> {
  const mode = await ctx.access.vendingMode(scope, request.path);
  if (!mode) return NO_ACCESS;
  if (request.delegation !== undefined) {
    // The client's mechanisms against the warehouse's offer (catalog/kit/delegation.ts); the sign operation re-checks every request.
    const mechanism = chooseMechanism(request.delegation, await ctx.signing.mechanisms(scope.warehouse));
    if (mechanism === undefined) return NO_ACCESS;
    if (mechanism === 'remote-signing') {
      const signer = await ctx.signing.signerFor(scope.warehouse);
      if (!signer) return NO_ACCESS;
      return { config: signingConfig(scope.warehouse.name, request.identifier, signer), storageCredentials: [], remoteSigningConfig: {} };
    }
  }
  return ctx.credentials.forTable({
    scope,
    identifier: request.identifier,
    tableUuid: request.tableUuid,
    location: request.location,
    mode,
    refreshed: request.refreshed ?? false,
    ...(request.sealed ? { sealed: request.sealed } : {}),
  });
}

/** A location given by a client must be a valid URI inside the warehouse root. */
export function checkTableLocation(scope: RequestScope, location: unknown): string {
  return checkLocation(scope.warehouse, location, 'location', { notRoot: true });
}

/**
 * Default location: under the namespace's own `location` property when it
 * has one, else under the warehouse root. The table uuid is part of the
 * path, so a later table of the same name never shares files with a
 * renamed or dropped one (and a purge of one cannot touch the other).
 */
export function defaultLocation(scope: RequestScope, namespace: string[], name: string, uuid: string, nsProperties: Record<string, string>): string {
  const nsLocation = nsProperties.location;
  const base =
    nsLocation && isAllowedLocation(scope.warehouse, nsLocation) ? nsLocation.replace(/\/+$/, '') : namespaceDirectory(scope.warehouse.storageRoot, namespace);
  // Unreserved characters only (default-locations.ts): every client reads it as the same path.
  return `${base}/${objectSegment(name, uuid)}`;
}

/** Where the next metadata file of `metadata` goes; write.metadata.path must stay inside the warehouse too. */
export function metadataLocationFor(ctx: ServiceContext, scope: RequestScope, metadata: TableMetadata, previous: string | null): string {
  const location = nextMetadataLocation(metadata, previous, ctx.newUuid());
  checkLocation(scope.warehouse, location);
  return location;
}
