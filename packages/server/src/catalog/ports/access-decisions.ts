/**
 * The authorize step every catalog service takes, as a port: what ServiceContext.access offers, so a service's
 * context names an interface and not the AccessService class (access/access-service.ts implements it: path
 * resolution, batched decisions, caching, audit). A file apart from ports/access.ts, which ports/index.ts reads
 * Member from, because these shapes name Warehouse and Caller from ports/index.ts.
 */
import type { CatalogError } from '../../errors/catalog-error.js';
import type { Privilege } from '../privileges.js';
import type { CheckMemo, SecurablePath, SecurableRef } from './access.js';
import type { Caller, TransactionPorts, Warehouse } from './index.js';

/** What services pass: the warehouse addressed and who is asking. */
export interface AccessScope {
  warehouse: Warehouse;
  caller: Caller;
}

/** A namespace's path; `missing` when the namespace (or an ancestor) does not exist: the path then ends at the deepest one that does. */
export interface ResolvedNamespace {
  path: SecurablePath;
  missing: boolean;
}

export interface Check {
  privilege: Privilege | 'any';
  path: SecurablePath;
}

/** How a decision is recorded: denials always; allowed data-bearing actions (credentials, writes, drops) too. */
export interface AuditAs {
  /** "lake/sales.orders", as the audit trail and the error message name it. */
  object: string;
  /** Record an allowed decision too (not only a denial). */
  recordAllow?: boolean;
}

/**
 * The owner grant of one create (access/creator-ownership.ts). `record` inside the create's store transaction, before
 * its events (recordChanges stays its last write), for each object the transaction creates; `committed` after the
 * transaction committed (the audit record and cache invalidation; where grants live outside the catalog database,
 * the grant itself). A create that does not commit never calls `committed`.
 */
export interface CreatorGrant {
  record(ports: TransactionPorts, securable: SecurableRef, object: string): Promise<void>;
  committed(): Promise<void>;
}

/** The decisions a catalog service asks for (see access/access-service.ts for what each does and caches). */
export interface AccessDecisions {
  invalidate(): void;
  forgetSecurable(securable: SecurableRef): Promise<void>;
  /** Before a create's transaction: its creator's owner grant, to record in it (a no-op one when the creator owns nothing). */
  creatorGrant(scope: AccessScope): Promise<CreatorGrant>;
  forgetNamespaceIds(): void;
  vendingMode(scope: AccessScope, path: SecurablePath): Promise<'read' | 'read-write' | undefined>;
  vendingModeCached(scope: AccessScope, path: SecurablePath): 'read' | 'read-write' | 'none' | undefined;
  isAdmin(caller: Caller): Promise<boolean>;
  rolesOf(tenant: string, members: Caller['members']): Promise<readonly string[]>;
  warehousePath(warehouse: Warehouse): SecurablePath;
  namespacePath(warehouse: Warehouse, levels: readonly string[]): Promise<ResolvedNamespace>;
  namespacePathCached(warehouse: Warehouse, levels: readonly string[]): ResolvedNamespace | undefined;
  objectPath(namespace: SecurablePath, kind: 'table' | 'view', id: string): SecurablePath;
  /** A memo for the allows() calls of one listing page's scan, shared with the caller's next pages (access/check-memo.ts). */
  listingMemo(scope: AccessScope): CheckMemo;
  allows(scope: AccessScope, checks: readonly Check[], memo?: CheckMemo): Promise<boolean[]>;
  allowed(scope: AccessScope, privilege: Privilege | 'any', path: SecurablePath): Promise<boolean>;
  require(scope: AccessScope, privilege: Privilege, path: SecurablePath, as: AuditAs): Promise<void>;
  requireAll(scope: AccessScope, privileges: readonly Privilege[], path: SecurablePath, as: AuditAs): Promise<void>;
  notFoundOrForbidden(scope: AccessScope, container: SecurablePath, privilege: Privilege, object: string, notFound: () => CatalogError): Promise<never>;
  record(caller: Caller, type: string, decision: 'allow' | 'deny' | undefined, action: string, object: string, detail?: Record<string, unknown>): Promise<void>;
}
