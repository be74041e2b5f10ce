/**
 * Which effective policies a table's policy-enforced files are prepared for (prepare-policy-files.ts, issue 53):
 *  - each single role bound by the table's policies (the common case, one role per reader);
 *  - the combinations of several such roles that readers hold: a caller's effective policy combines the policies of
 *    all its roles (policies/effective.ts), a policy version of its own. Two sources, both computed with the plan's
 *    own combine/applyingTo: the role sets of restricted plans this process answered recently (SeenRoleSets: a role
 *    held through an IdP group comes from the token at request time, so it is only known once such a caller planned),
 *    then the role sets members hold in the stored assignments (AccessControl.listMembers: a principal, user or group
 *    holding two or more of the roles), most held first. At most `max` distinct combined versions per table per
 *    preparation (LAKEGATE_PLANNING_PREPARE_POLICY_COMBINATIONS, default 16): past it, plans derive on demand.
 */
import type { Member, RoleAssignment } from '../ports/access.js';
import type { EffectivePolicy, Policy } from '../ports/policies.js';
import { applyingTo, combine } from '../policies/effective.js';
import { isRestricted } from './restricted.js';

/** The default bound of combined effective policies prepared per table per preparation. */
export const DEFAULT_PREPARED_COMBINATIONS = 16;
/** Tables whose recently planned role sets a process remembers (least recently planned forgotten first). */
const SEEN_TABLES = 1024;

export type PreparedPolicy = EffectivePolicy & { policyVersion: string };

/** Who holds a role in the stored assignments (AccessControl.listMembers of the authorizer). */
export type RoleHolders = (tenant: string, role: string) => Promise<readonly RoleAssignment[]>;

/** The roles the table's policies bind, sorted. */
export const boundRoles = (onTable: readonly Policy[]): string[] => [...new Set(onTable.flatMap((p) => p.roles))].sort();

/** The distinct effective policies one role bound by the table's policies yields, by policy version. */
export function singleRolePolicies(onTable: readonly Policy[]): Map<string, PreparedPolicy> {
  return combinedPolicies(
    onTable,
    boundRoles(onTable).map((r) => [r]),
    new Map(),
    Infinity,
  );
}

/**
 * The distinct effective policies the role sets yield on the table, by policy version, in the sets' order: those in
 * `except` (already prepared) left out, at most `max` of them.
 */
export function combinedPolicies(
  onTable: readonly Policy[],
  roleSets: Iterable<readonly string[]>,
  except: ReadonlyMap<string, unknown>,
  max: number,
): Map<string, PreparedPolicy> {
  const out = new Map<string, PreparedPolicy>();
  for (const roles of roleSets) {
    if (out.size >= max) break;
    const effective = combine(applyingTo(onTable, roles));
    if (isRestricted(effective) && !except.has(effective.policyVersion) && !out.has(effective.policyVersion)) out.set(effective.policyVersion, effective);
  }
  return out;
}

const memberKey = (m: Member) => `${m.kind}\u0000${m.issuer}\u0000${m.name}`;

/** The sets of two or more of the table's bound roles that one stored member holds, most held first. */
export async function heldRoleSets(onTable: readonly Policy[], tenant: string, holders: RoleHolders): Promise<string[][]> {
  const roles = boundRoles(onTable);
  if (roles.length < 2) return [];
  const byMember = new Map<string, string[]>();
  for (const role of roles) {
    for (const a of await holders(tenant, role)) {
      const key = memberKey(a.member);
      const held = byMember.get(key);
      if (held === undefined) byMember.set(key, [role]);
      else if (!held.includes(role)) held.push(role);
    }
  }
  const sets = new Map<string, { roles: string[]; holders: number }>();
  for (const held of byMember.values()) {
    if (held.length < 2) continue;
    const sorted = held.sort();
    const key = sorted.join('\u0000');
    const kept = sets.get(key);
    if (kept === undefined) sets.set(key, { roles: sorted, holders: 1 });
    else kept.holders++;
  }
  return [...sets.entries()].sort(([ka, a], [kb, b]) => b.holders - a.holders || (ka < kb ? -1 : ka > kb ? 1 : 0)).map(([, s]) => s.roles);
}

/** The role sets of restricted plans answered recently in this process, per table (bounded, least recent forgotten). */
export class SeenRoleSets {
  private readonly tables = new Map<string, Map<string, readonly string[]>>();

  constructor(
    private readonly perTable: number,
    private readonly maxTables = SEEN_TABLES,
  ) {}

  /** A restricted plan of the table by a caller holding these of its policies' roles (ignored under two). */
  note(table: string, roles: readonly string[]): void {
    if (this.perTable <= 0) return;
    const sorted = [...new Set(roles)].sort();
    if (sorted.length < 2) return;
    const key = sorted.join('\u0000');
    const sets = this.tables.get(table) ?? new Map<string, readonly string[]>();
    // Most recent last, for tables and for sets.
    this.tables.delete(table);
    this.tables.set(table, sets);
    sets.delete(key);
    sets.set(key, sorted);
    for (const oldest of sets.keys()) {
      if (sets.size <= this.perTable) break;
      sets.delete(oldest);
    }
    for (const oldest of this.tables.keys()) {
      if (this.tables.size <= this.maxTables) break;
      this.tables.delete(oldest);
    }
  }

  /** The table's role sets, most recently planned first. */
  of(table: string): (readonly string[])[] {
    return [...(this.tables.get(table)?.values() ?? [])].reverse();
  }
}
