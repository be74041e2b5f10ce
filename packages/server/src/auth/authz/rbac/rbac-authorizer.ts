/**
 * The built-in authorizer: role-based access over the grants stored by an
 * AccessControl adapter (the catalog database by default). A decision
 * collects the grants that the subject's roles hold anywhere on the
 * securable's path (warehouse, each enclosing namespace, the object) — one
 * batched lookup for any number of queries — and applies the implication
 * rules of catalog/privileges.ts. Role memberships, and the grants
 * of a set of roles when they are few (ALL_GRANTS_LIMIT; the usual case: a
 * role holds a handful of grants on warehouses and namespaces), are cached
 * for the configured time, the bound on how long a change takes to reach a
 * replica that did not make it (this process and its workers drop them at
 * once: invalidate()). With the grants in memory, deciding on an object the
 * process never saw (one of a million tables) needs no database lookup.
 */
import {
  type AccessControl,
  ADMIN_ROLE_NAME,
  type AccessQuery,
  type Authorizer,
  type GrantRecord,
  type Member,
  type SecurablePath,
  type SecurableRef,
  pathElements,
} from '../../../catalog/ports/access.js';
import { type Privilege, confers, grantsConferring } from '../../../catalog/privileges.js';
import { TtlCache } from '../../../catalog/ttl-cache.js';

export const memberKey = (m: Member): string => `${m.kind}\u001f${m.issuer}\u001f${m.name}`;
const refKey = (r: SecurableRef): string => `${r.kind}\u001f${r.id}`;

/** Above this many grants, a set of roles is not held in memory: decisions look up the grants on their paths. */
const ALL_GRANTS_LIMIT = 2_000;

/** Privileges held, by securable (refKey). */
type Held = Map<string, Privilege[]>;

export class RbacAuthorizer implements Authorizer {
  private readonly roleCache: TtlCache<string[]>;
  /** Every grant of a set of roles, or 'many' when there are too many to hold. */
  private readonly grantCache: TtlCache<Held | 'many'>;

  private readonly allGrantsLimit: number;

  constructor(
    private readonly control: AccessControl,
    cacheTtlMs: number,
    now: () => number,
    options: { allGrantsLimit?: number } = {},
  ) {
    this.roleCache = new TtlCache(cacheTtlMs, now);
    this.grantCache = new TtlCache(cacheTtlMs, now, 10_000);
    this.allGrantsLimit = options.allGrantsLimit ?? ALL_GRANTS_LIMIT;
  }

  /** Forgets cached memberships and grants (after a change made through this process or announced by another). */
  invalidate(): void {
    this.roleCache.clear();
    this.grantCache.clear();
  }

  async rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    if (members.length === 0) return [];
    const key = `${tenant}\u001e${members.map(memberKey).sort().join('\u001e')}`;
    const cached = this.roleCache.get(key);
    if (cached) return cached;
    const readAt = this.roleCache.generation;
    const roles = await this.control.rolesOf(tenant, members);
    this.roleCache.set(key, roles, readAt);
    return roles;
  }

  async isAdmin(tenant: string, members: readonly Member[]): Promise<boolean> {
    return (await this.rolesOf(tenant, members)).includes(ADMIN_ROLE_NAME);
  }

  async check(tenant: string, members: readonly Member[], queries: readonly AccessQuery[]): Promise<boolean[]> {
    const roles = await this.rolesOf(tenant, members);
    if (roles.length === 0 || queries.length === 0) return queries.map(() => false);
    const held = await this.heldOn(
      tenant,
      roles,
      queries.map((q) => q.path),
    );
    return queries.map((q) => {
      const privileges = new Set<Privilege>();
      for (const element of pathElements(q.path)) for (const p of held.get(refKey(element)) ?? []) privileges.add(p);
      return q.privilege === 'any' ? privileges.size > 0 : confers(privileges, q.privilege);
    });
  }

  async explain(tenant: string, members: readonly Member[], privilege: Privilege, path: SecurablePath): Promise<GrantRecord[]> {
    const roles = await this.rolesOf(tenant, members);
    if (roles.length === 0) return [];
    const conferring = new Set(grantsConferring(privilege));
    const grants = await this.control.grantsOn(tenant, roles, pathElements(path));
    return grants.filter((g) => conferring.has(g.privilege));
  }

  /** Privileges held by the roles on every securable of the paths, by securable. */
  private async heldOn(tenant: string, roles: readonly string[], paths: readonly SecurablePath[]): Promise<Held> {
    const all = await this.allGrants(tenant, roles);
    if (all !== 'many') return all;
    return this.lookUp(tenant, roles, paths);
  }

  /** Every grant of the roles (cached), or 'many' when they hold more than ALL_GRANTS_LIMIT. */
  private async allGrants(tenant: string, roles: readonly string[]): Promise<Held | 'many'> {
    const key = `${tenant}\u001e${[...roles].sort().join('\u001e')}`;
    const cached = this.grantCache.get(key);
    if (cached !== undefined) return cached;
    const readAt = this.grantCache.generation;
    let held: Held | 'many' = new Map();
    let count = 0;
    for (const role of roles) {
      const grants = await this.control.listGrants({ tenant, role });
      count += grants.length;
      if (count > this.allGrantsLimit) {
        held = 'many';
        break;
      }
      for (const g of grants) add(held, g);
    }
    this.grantCache.set(key, held, readAt);
    return held;
  }

  private async lookUp(tenant: string, roles: readonly string[], paths: readonly SecurablePath[]): Promise<Held> {
    const refs = new Map<string, SecurableRef>();
    for (const path of paths) for (const element of pathElements(path)) refs.set(refKey(element), element);
    const grants = await this.control.grantsOn(tenant, roles, [...refs.values()]);
    const held: Held = new Map();
    for (const g of grants) add(held, g);
    return held;
  }
}

function add(held: Held, g: GrantRecord): void {
  const key = refKey(g.securable);
  const list = held.get(key);
  if (list) list.push(g.privilege);
  else held.set(key, [g.privilege]);
}
