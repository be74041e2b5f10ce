/**
 * The built-in authorizer: role-based access over the grants stored by an
 * AccessControl adapter (the catalog database by default). A decision
 * collects the grants that the subject's roles hold anywhere on the
 * securable's path (warehouse, each enclosing namespace, the object) — one
 * batched lookup for any number of queries — and applies the implication
 * rules of catalog/access/privileges.ts. Role memberships are cached for
 * the configured time, the bound on how long a membership change takes to
 * reach a replica that did not make it.
 */
import { type AccessControl, ADMIN_ROLE_NAME, type AccessQuery, type Authorizer, type GrantRecord, type Member, type SecurablePath, type SecurableRef, pathElements } from '../../../catalog/access/ports.js';
import { type Privilege, confers, grantsConferring } from '../../../catalog/access/privileges.js';
import { TtlCache } from '../../../catalog/ttl-cache.js';

export const memberKey = (m: Member): string => `${m.kind}\u001f${m.issuer}\u001f${m.name}`;
const refKey = (r: SecurableRef): string => `${r.kind}\u001f${r.id}`;

export class RbacAuthorizer implements Authorizer {
  private readonly roleCache: TtlCache<string[]>;

  constructor(
    private readonly control: AccessControl,
    cacheTtlMs: number,
    now: () => number,
  ) {
    this.roleCache = new TtlCache(cacheTtlMs, now);
  }

  /** Forgets cached memberships (after a change made through this process). */
  invalidate(): void {
    this.roleCache.clear();
  }

  async rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    if (members.length === 0) return [];
    const key = `${tenant}\u001e${members.map(memberKey).sort().join('\u001e')}`;
    const cached = this.roleCache.get(key);
    if (cached) return cached;
    const roles = await this.control.rolesOf(tenant, members);
    this.roleCache.set(key, roles);
    return roles;
  }

  async isAdmin(tenant: string, members: readonly Member[]): Promise<boolean> {
    return (await this.rolesOf(tenant, members)).includes(ADMIN_ROLE_NAME);
  }

  async check(tenant: string, members: readonly Member[], queries: readonly AccessQuery[]): Promise<boolean[]> {
    const roles = await this.rolesOf(tenant, members);
    if (roles.length === 0 || queries.length === 0) return queries.map(() => false);
    const held = await this.heldOn(tenant, roles, queries.map((q) => q.path));
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
  private async heldOn(tenant: string, roles: readonly string[], paths: readonly SecurablePath[]): Promise<Map<string, Privilege[]>> {
    const refs = new Map<string, SecurableRef>();
    for (const path of paths) for (const element of pathElements(path)) refs.set(refKey(element), element);
    const grants = await this.control.grantsOn(tenant, roles, [...refs.values()]);
    const held = new Map<string, Privilege[]>();
    for (const g of grants) {
      const key = refKey(g.securable);
      const list = held.get(key);
      if (list) list.push(g.privilege);
      else held.set(key, [g.privilege]);
    }
    return held;
  }
}
