/**
 * Role assignments and grants read back out of OpenFGA's tuples as the access ports' records, by the adapter's
 * administration (openfga-access.ts: listMembers, listGrants, grantsOn) and its decisions (openfga-decisions.ts: the
 * caller's roles, the grants on a path, the objects a caller's roles hold grants on). Reads run READ_CONCURRENCY at once.
 */
import type { Tuple } from '@openfga/sdk';
import type { GrantRecord, Member, SecurableRef } from '../../../catalog/ports/access.js';
import type { SecurableKind } from '../../../catalog/privileges.js';
import { mapBounded } from '../../../catalog/bounded.js';
import type { FgaClient } from './fga-client.js';
import { memberObject, memberUser, parseRoleObject, parseRoleUser, parseSecurableObject, roleUser, securableCheckObject } from './ids.js';
import { ASSIGNEE_RELATION, LOCATED_IN_RELATION, SECURABLE_KINDS, privilegeOfRelation } from './model.js';
import { refKey, timeOf } from './check-tuples.js';

/** Reads in flight at once for one listing. */
export const READ_CONCURRENCY = 8;

/** The roles of the tenant any of the members is assigned, sorted. */
export async function rolesOf(fga: FgaClient, tenant: string, members: readonly Member[]): Promise<string[]> {
  const users = [...new Set(members.flatMap((m) => (memberObject(tenant, m) ? [memberUser(tenant, m)] : [])))];
  const found = await mapBounded(users, (user) => fga.read({ user, relation: ASSIGNEE_RELATION, object: 'role:' }), READ_CONCURRENCY);
  const roles = new Set<string>();
  for (const t of found.flat()) {
    const r = parseRoleObject(t.key.object);
    if (r && r.tenant === tenant) roles.add(r.role);
  }
  return [...roles].sort();
}

/** The grants the roles hold on these securables. */
export async function grantsOn(fga: FgaClient, tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]> {
  if (roles.length === 0 || securables.length === 0) return [];
  const wanted = new Map(securables.map((s) => [refKey(s), s]));
  // Whichever needs fewer reads: the tuples on each securable, or the tuples of each role (one read per kind).
  const tuples =
    wanted.size <= roles.length * SECURABLE_KINDS.length
      ? (await mapBounded([...wanted.values()], (s) => fga.read({ object: securableCheckObject(s) }), READ_CONCURRENCY)).flat()
      : await grantTuplesOfRoles(fga, tenant, roles);
  const roleSet = new Set(roles);
  return (await toGrants(fga, tuples, tenant)).filter((g) => roleSet.has(g.role) && wanted.has(refKey(g.securable)));
}

/** The grant tuples the roles hold on securables of these kinds; undefined once one role holds more than `max` of one kind. */
export async function grantTuplesOfRoles(fga: FgaClient, tenant: string, roles: readonly string[]): Promise<Tuple[]>;
export async function grantTuplesOfRoles(
  fga: FgaClient,
  tenant: string,
  roles: readonly string[],
  kinds: readonly SecurableKind[],
  max: number,
): Promise<Tuple[] | undefined>;
export async function grantTuplesOfRoles(
  fga: FgaClient,
  tenant: string,
  roles: readonly string[],
  kinds: readonly SecurableKind[] = SECURABLE_KINDS,
  max = Infinity,
): Promise<Tuple[] | undefined> {
  const reads = roles.flatMap((role) => kinds.map((kind) => ({ user: roleUser(tenant, role), object: `${kind}:` })));
  const found = await mapBounded(reads, (key) => fga.readAtMost(key, max), READ_CONCURRENCY);
  return found.some((tuples) => tuples === undefined) ? undefined : found.flatMap((tuples) => tuples!);
}

/** Grant tuples of the tenant as records; the warehouse of a namespace, table or view comes from its anchor. */
export async function toGrants(fga: FgaClient, tuples: readonly Tuple[], tenant: string): Promise<GrantRecord[]> {
  const parsed = tuples.flatMap((t) => {
    const privilege = privilegeOfRelation(t.key.relation);
    const role = parseRoleUser(t.key.user);
    const securable = parseSecurableObject(t.key.object);
    return privilege && role && role.tenant === tenant && securable
      ? [{ privilege, role: role.role, securable, createdAtMs: timeOf(t), object: t.key.object }]
      : [];
  });
  const objects = [...new Set(parsed.filter((p) => p.securable.kind !== 'warehouse').map((p) => p.object))];
  const anchors = await mapBounded(objects, (object) => fga.read({ object, relation: LOCATED_IN_RELATION }), READ_CONCURRENCY);
  const warehouseOf = new Map<string, string>();
  objects.forEach((object, i) => {
    const w = anchors[i]!.map((t) => parseSecurableObject(t.key.user)).find((r) => r?.kind === 'warehouse');
    if (w) warehouseOf.set(object, w.id);
  });
  return parsed.map((p) => ({
    tenant,
    role: p.role,
    privilege: p.privilege,
    securable: { ...p.securable, warehouse: p.securable.kind === 'warehouse' ? p.securable.id : (warehouseOf.get(p.object) ?? '') },
    createdAtMs: p.createdAtMs,
  }));
}
