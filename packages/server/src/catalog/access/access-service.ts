/**
 * The catalog's side of authorization: every catalog service asks here,
 * after validating its input and before executing (validate → authorize →
 * execute). It resolves the securable's path (the ids of the warehouse and
 * of each enclosing namespace), asks the Authorizer port, caches decisions
 * briefly, records decisions in the audit trail, and turns "no" into
 * ERR_FORBIDDEN.
 *
 * Who passes without a grant: nobody, except a caller with authentication
 * disabled (development) and administrators of the tenant (the admin role,
 * by credential or by role assignment). Deny by default.
 *
 * Staleness: a decision, a namespace id, a caller's role membership or a listing's grant reads is
 * reused for at most `cacheTtlMs` (config authzCacheSeconds) on a replica
 * that did not make the change; changes made through this process clear its
 * caches at once.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { NAMESPACE_SEPARATOR, encodeNamespace, formatIdentifier } from '../identifiers.js';
import type { AccessAudit, Caller, CatalogRepository, Clock, Coherence, Warehouse } from '../ports/index.js';
import { TtlCache } from '../ttl-cache.js';
import { NO_OWNER_GRANT, mayOwn } from './creator-ownership.js';
import { ownerGrantOf, recoverPendingOwnerGrants } from './owner-grants.js';
import type { PendingOwnerGrantStore } from '../ports/owner-grants.js';
import { VendingDecisionKeys, decisionKey, vendingKeysOf, whoOf } from './decision-keys.js';
import { MAX_RENEW, NamespaceIdCache } from './namespace-ids.js';
import type { AccessControl, Authorizer, CheckMemo, Member, SecurablePath, SecurableRef } from '../ports/access.js';
import { ListingMemo } from './check-memo.js';
import { GrantReads } from './grant-reads.js';
import { type Privilege, scopeAllows } from '../privileges.js';
import { type Spans, noSpans } from '../ports/tracing.js';
import type { AccessDecisions, AccessScope, AuditAs, Check, CreatorGrant, ResolvedNamespace } from '../ports/access-decisions.js';

export type { AccessScope, AuditAs, Check, ResolvedNamespace } from '../ports/access-decisions.js';

export interface AccessServiceDeps {
  authorizer: Authorizer;
  control: AccessControl;
  /**
   * True when `control` keeps its grants in the catalog database (the built-in adapter): a creator's owner grant is
   * then written in the create's transaction (CatalogStore.transaction's ports.access), not through `control` after it.
   */
  grantsInCatalog?: boolean | undefined;
  /** Where grants are not in the catalog database: the owner grants committed but not yet written there (ports/owner-grants.ts). */
  pendingOwnerGrants?: (() => PendingOwnerGrantStore) | undefined;
  repository: () => CatalogRepository;
  audit: AccessAudit;
  clock: Clock;
  cacheTtlMs: number;
  /** The other processes of this server: told when decisions or namespace ids they cached went stale. */
  coherence?: Coherence;
  /** An `authorize` span per decision when tracing is on. */
  spans?: Spans | undefined;
}

/** Warehouse property: "read" caps every vended credential of the warehouse at read-only, whatever the grants say. */
export const VENDED_ACCESS_MODE = 'vended-access-mode';

/** The access to vend from the two decisions: read-write for writers, read for readers (never above the warehouse's bound). */
function vendedMode(scope: AccessScope, write: boolean | undefined, read: boolean | undefined): 'read' | 'read-write' | undefined {
  if (write && scope.warehouse.properties[VENDED_ACCESS_MODE] !== 'read') return 'read-write';
  return write || read ? 'read' : undefined;
}

/** "lake/sales.orders" — the object as the audit trail and error messages name it. */
export const describeObject = (warehouse: string, namespace: readonly string[], name?: string): string =>
  namespace.length === 0 && name === undefined ? warehouse : `${warehouse}/${formatIdentifier(namespace, name)}`;

export class AccessService implements AccessDecisions {
  private readonly decisions: TtlCache<boolean>;
  private readonly admins: TtlCache<boolean>;
  /** The roles members hold (rolesOf): the row/column policies' lookup, on every restricted plan and sign. */
  private readonly roles: TtlCache<readonly string[]>;
  private readonly namespaceIds: NamespaceIdCache;
  private readonly vendingKeys = new VendingDecisionKeys(vendingKeysOf);
  /** What the authorizer read about a caller for its listings, kept across its page requests (grant-reads.ts). */
  private readonly grantReads: GrantReads;

  constructor(private readonly deps: AccessServiceDeps) {
    this.decisions = new TtlCache(deps.cacheTtlMs, () => deps.clock.now(), 100_000, { secondSighting: true });
    this.admins = new TtlCache(deps.cacheTtlMs, () => deps.clock.now());
    this.roles = new TtlCache(deps.cacheTtlMs, () => deps.clock.now());
    this.namespaceIds = new NamespaceIdCache(deps.cacheTtlMs, () => deps.clock.now());
    this.grantReads = new GrantReads({ ttlMs: deps.cacheTtlMs, now: () => deps.clock.now() });
    deps.coherence?.on('access', () => this.dropDecisions());
    deps.coherence?.on('namespace-ids', () => this.namespaceIds.clear());
  }

  /** Forgets every cached decision, here and in the other processes (after a grant, role or membership change). */
  invalidate(): void {
    this.dropDecisions();
    this.deps.coherence?.announce('access');
  }

  /** Removes the grants on a dropped namespace, table or view (ids are never reused: this is tidiness, not safety). */
  async forgetSecurable(securable: SecurableRef): Promise<void> {
    await this.deps.control.forgetSecurable(securable);
    this.invalidate();
  }

  /**
   * The owner's privileges the caller gets on what it is about to create (creator-ownership.ts; the warehouse's
   * access.creator-owns), recorded in the create's transaction and audited as `access.owner-granted` after it
   * commits. Nothing for administrators of the tenant: they hold every privilege already.
   */
  async creatorGrant(scope: AccessScope): Promise<CreatorGrant> {
    if (!mayOwn(scope.caller, scope.warehouse) || (await this.isAdmin(scope.caller))) return NO_OWNER_GRANT;
    return ownerGrantOf(this.deps, scope, () => this.invalidate());
  }

  /**
   * Writes the owner grants that committed creates left pending where grants are outside the catalog database
   * (owner-grant-recovery.ts); how many. Nothing to do where they are in it (they committed with their objects).
   */
  recoverOwnerGrants(olderThanMs: number): Promise<number> {
    return recoverPendingOwnerGrants(this.deps, () => this.invalidate(), olderThanMs);
  }

  /** Forgets cached namespace ids, here and in the other processes (a namespace was created or dropped). */
  forgetNamespaceIds(): void {
    this.namespaceIds.clear();
    this.deps.coherence?.announce('namespace-ids');
  }

  private dropDecisions(): void {
    this.decisions.clear();
    this.admins.clear();
    this.roles.clear();
    this.grantReads.clear();
    (this.deps.authorizer as { invalidate?: () => void }).invalidate?.();
  }

  /** Read-write credentials for writers, read-only for readers, none for metadata-only access (and nothing above the warehouse's bound). */
  async vendingMode(scope: AccessScope, path: SecurablePath): Promise<'read' | 'read-write' | undefined> {
    const [write, read] = await this.allows(scope, [
      { privilege: 'table:write-data', path },
      { privilege: 'table:read-data', path },
    ]);
    return vendedMode(scope, write, read);
  }

  /**
   * vendingMode() at once when every answer it needs is in the decision caches ('none': neither privilege), else
   * undefined: ask vendingMode(). Same entries, same revocation bound; tracing on always takes vendingMode() (its span).
   */
  vendingModeCached(scope: AccessScope, path: SecurablePath): 'read' | 'read-write' | 'none' | undefined {
    if ((this.deps.spans ?? noSpans).enabled) return undefined;
    const { caller } = scope;
    let write: boolean | undefined;
    let read: boolean | undefined;
    if (caller.unrestricted || caller.admin) write = read = true;
    else if (caller.members.length === 0) write = read = false;
    else {
      // allows()'s two decisions, from the admin and decision caches alone (one path key for both).
      const who = whoOf(caller);
      const admin = this.admins.get(who);
      if (admin === undefined) return undefined;
      if (admin) write = read = true;
      else {
        // The same keys decide() builds, kept per (who, table) when the path names one (decision-keys.ts).
        const keys =
          path.object !== undefined
            ? this.vendingKeys.keysOf(who, path as SecurablePath & { object: NonNullable<SecurablePath['object']> })
            : vendingKeysOf(who, path);
        write = this.decisions.get(keys.write);
        read = write === undefined ? undefined : this.decisions.get(keys.read);
        if (read === undefined) return undefined;
      }
    }
    const limit = caller.scope;
    if (limit) {
      write = write && scopeAllows(limit, 'table:write-data');
      read = read && scopeAllows(limit, 'table:read-data');
    }
    return vendedMode(scope, write, read) ?? 'none';
  }

  /** True when the caller administers its tenant: by credential (admin role in its token) or as a member of the tenant's admin role. */
  async isAdmin(caller: Caller): Promise<boolean> {
    if (caller.unrestricted || caller.admin) return true;
    if (caller.members.length === 0) return false;
    const key = whoOf(caller);
    const cached = this.admins.get(key);
    if (cached !== undefined) return cached;
    const readAt = this.admins.generation;
    const admin = await this.deps.authorizer.isAdmin(caller.tenant, caller.members);
    this.admins.set(key, admin, readAt);
    return admin;
  }

  /**
   * The roles any of the members holds in the tenant (AccessControl.rolesOf), cached like the decisions: a role
   * granted or revoked through this process is seen at once (invalidate()), through another process of this server
   * at its `access` announcement, and on another replica within `cacheTtlMs`. Callers must not change the array.
   */
  async rolesOf(tenant: string, members: readonly Member[]): Promise<readonly string[]> {
    if (members.length === 0) return [];
    const key = whoOf({ tenant, members });
    const cached = this.roles.get(key);
    if (cached !== undefined) return cached;
    const readAt = this.roles.generation;
    const roles = Object.freeze(await this.deps.control.rolesOf(tenant, members));
    this.roles.set(key, roles, readAt);
    return roles;
  }

  /** The warehouse itself as a securable. */
  warehousePath(warehouse: Warehouse): SecurablePath {
    return { warehouse: warehouse.name, namespaces: [] };
  }

  /**
   * The path of a namespace: the ids of it and its ancestors, in one lookup (cached briefly; a lookup that
   * reads also renews the ids in use that expire soon, see namespace-ids.ts).
   */
  async namespacePath(warehouse: Warehouse, levels: readonly string[]): Promise<ResolvedNamespace> {
    const prefixes = levels.map((_, i) => levels.slice(0, i + 1));
    const keys = prefixes.map((p) => `${warehouse.name}\u001e${encodeNamespace(p)}`);
    let ids = keys.map((k) => this.namespaceIds.get(k));
    if (ids.some((id) => id === undefined)) {
      const cache = this.namespaceIds;
      const generation = cache.generation;
      const renew = cache.renewable(warehouse.name, MAX_RENEW).filter((r) => !keys.includes(r.key));
      const found = await this.deps.repository().getNamespaceIds(warehouse.name, [...prefixes, ...renew.map((r) => r.levels)]);
      ids = prefixes.map((p, i) => {
        const id = found.get(encodeNamespace(p));
        if (id !== undefined) cache.set(keys[i]!, warehouse.name, p, id, generation);
        return id;
      });
      for (const { key, levels: renewed } of renew) {
        const id = found.get(encodeNamespace(renewed));
        if (id === undefined) cache.delete(key);
        else cache.set(key, warehouse.name, renewed, id, generation);
      }
    }
    const firstMissing = ids.findIndex((id) => id === undefined);
    const existing = (firstMissing < 0 ? ids : ids.slice(0, firstMissing)) as string[];
    return { path: { warehouse: warehouse.name, namespaces: existing }, missing: firstMissing >= 0 };
  }

  /** namespacePath() at once when the ids of the namespace and its ancestors are all cached; else undefined (ask it). */
  namespacePathCached(warehouse: Warehouse, levels: readonly string[]): ResolvedNamespace | undefined {
    const ids: string[] = [];
    // encodeNamespace(levels.slice(0, i + 1)), built level by level (no arrays: this runs on every sign).
    let prefix = '';
    for (let i = 0; i < levels.length; i++) {
      prefix = i === 0 ? levels[0]! : `${prefix}${NAMESPACE_SEPARATOR}${levels[i]!}`;
      const id = this.namespaceIds.get(`${warehouse.name}\u001e${prefix}`);
      if (id === undefined) return undefined;
      ids.push(id);
    }
    return { path: { warehouse: warehouse.name, namespaces: ids }, missing: false };
  }

  /** A table's or view's path inside its namespace's path. */
  objectPath(namespace: SecurablePath, kind: 'table' | 'view', id: string): SecurablePath {
    // Not `{ ...namespace, object }`: a slow path of V8's on every authorization (see http/caller.ts).
    return { warehouse: namespace.warehouse, namespaces: namespace.namespaces, object: { kind, id } };
  }

  /**
   * A memo for the several allows() calls of one listing page (check-memo.ts): the caller's grants read once per scan,
   * and kept for its next pages in this warehouse for at most `cacheTtlMs` (grant-reads.ts; dropped by invalidate()).
   */
  listingMemo(scope: AccessScope): CheckMemo {
    const { caller } = scope;
    const memo: ListingMemo = new ListingMemo(
      () => this.decisions.generation,
      () => this.deps.clock.now(),
      caller.members.length > 0 ? this.grantReads.memoOf(whoOf(caller), scope.warehouse.name, (since) => memo.noteRead(since)) : undefined,
    );
    return memo;
  }

  /**
   * Batched decisions, in order; cached per (caller, query). A credential limited by its OAuth scope (e.g. a
   * `catalog:read` token) is refused whatever its scope does not allow, admins included. `memo`: a listing's
   * (listingMemo()), shared by the calls of its scan.
   */
  allows(scope: AccessScope, checks: readonly Check[], memo?: CheckMemo): Promise<boolean[]> {
    const spans = this.deps.spans ?? noSpans;
    if (!spans.enabled) return this.allowsNow(scope, checks, memo);
    return spans.run('authorize', async (span) => {
      const answers = await this.allowsNow(scope, checks, memo);
      if (span.recording) {
        span.set(
          'lakegate.authz.privileges',
          checks.map((c) => c.privilege),
        );
        span.set('lakegate.authz.decision', answers.every(Boolean) ? 'allow' : answers.some(Boolean) ? 'partial' : 'deny');
      }
      return answers;
    });
  }

  private async allowsNow(scope: AccessScope, checks: readonly Check[], memo: CheckMemo | undefined): Promise<boolean[]> {
    const answers = await this.decide(scope, checks, memo);
    const limit = scope.caller.scope;
    return limit ? answers.map((allowed, i) => allowed && scopeAllows(limit, checks[i]!.privilege)) : answers;
  }

  private async decide(scope: AccessScope, checks: readonly Check[], memo: CheckMemo | undefined): Promise<boolean[]> {
    const { caller } = scope;
    if (caller.unrestricted || caller.admin || (await this.isAdmin(caller))) return checks.map(() => true);
    if (caller.members.length === 0) return checks.map(() => false);
    const who = whoOf(caller);
    const keys = checks.map((c) => decisionKey(who, c.privilege, c.path));
    const answers = keys.map((k) => this.decisions.get(k));
    const missing = answers.flatMap((a, i) => (a === undefined ? [i] : []));
    if (missing.length > 0) {
      const readAt = this.decisions.generation;
      const decided = await this.deps.authorizer.check(
        caller.tenant,
        caller.members,
        missing.map((i) => checks[i]!),
        memo,
      );
      // A denial may come from the listing's kept grants (grant-reads.ts): it is kept from when they were read, so it
      // expires with them and the two bounds never add up. Allows are always fresh checks (CheckMemo), kept from now.
      const sinceMs = memo instanceof ListingMemo ? memo.readSinceMs : undefined;
      missing.forEach((i, j) => {
        answers[i] = decided[j]!;
        this.decisions.set(keys[i]!, decided[j]!, readAt, decided[j] ? undefined : sinceMs);
      });
    }
    return answers as boolean[];
  }

  async allowed(scope: AccessScope, privilege: Privilege | 'any', path: SecurablePath): Promise<boolean> {
    return (await this.allows(scope, [{ privilege, path }]))[0]!;
  }

  /** Passes when the caller holds the privilege on the path; otherwise records the denial and throws ERR_FORBIDDEN. */
  async require(scope: AccessScope, privilege: Privilege, path: SecurablePath, as: AuditAs): Promise<void> {
    await this.requireAll(scope, [privilege], path, as);
  }

  /** Passes when the caller holds every one of the privileges on the path. */
  async requireAll(scope: AccessScope, privileges: readonly Privilege[], path: SecurablePath, as: AuditAs): Promise<void> {
    const answers = await this.allows(
      scope,
      privileges.map((privilege) => ({ privilege, path })),
    );
    const lacking = privileges.filter((_, i) => !answers[i]);
    const action = privileges.join('+');
    if (lacking.length === 0) {
      if (as.recordAllow) await this.record(scope.caller, 'access.allowed', 'allow', action, as.object);
      return;
    }
    await this.record(scope.caller, 'access.denied', 'deny', action, as.object, { lacking });
    throw forbidden(lacking, as.object);
  }

  /**
   * For an object that does not exist (or a path under a missing namespace):
   * a caller who can see the deepest existing container learns that it is
   * missing (the caller's `notFound`); anyone else gets the same 403 an
   * existing object would give, so nothing about the container leaks.
   */
  async notFoundOrForbidden(scope: AccessScope, container: SecurablePath, privilege: Privilege, object: string, notFound: () => CatalogError): Promise<never> {
    if (await this.allowed(scope, 'any', container)) throw notFound();
    await this.record(scope.caller, 'access.denied', 'deny', privilege, object, { lacking: [privilege] });
    throw forbidden([privilege], object);
  }

  /** Records a decision taken elsewhere (e.g. by the credential service) in the audit trail. */
  async record(
    caller: Caller,
    type: string,
    decision: 'allow' | 'deny' | undefined,
    action: string,
    object: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    await this.deps.audit.record(caller, { type, decision, action, object, detail });
  }
}

export function forbidden(lacking: readonly string[], object: string): CatalogError {
  return new CatalogError('ERR_FORBIDDEN', `Not allowed: ${lacking.join(', ')} on ${object} is not granted to the caller`);
}
