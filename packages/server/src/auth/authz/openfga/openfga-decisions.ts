/**
 * The OpenFGA adapter's decisions (Authorizer, for openfga-access.ts): `check` sends its queries as BatchCheck
 * requests of `openfgaBatchCheckSize` checks (fga-client.ts), parents first where several queries share one
 * (parents-first.ts), the caller's identities as contextual tuples (check-tuples.ts); `isAdmin` one Check on the
 * tenant's admin role; `explain` reads the grants on the path held by the subject's roles and keeps those that confer
 * the privilege, exactly as the built-in authorizer does.
 */
import {
  ADMIN_ROLE_NAME,
  type AccessQuery,
  type CheckMemo,
  type GrantRecord,
  type Member,
  type SecurablePath,
  pathElements,
} from '../../../catalog/ports/access.js';
import { type Privilege, grantsConferring } from '../../../catalog/privileges.js';
import type { FgaClient } from './fga-client.js';
import { roleObject } from './ids.js';
import { ASSIGNEE_RELATION } from './model.js';
import { decideParentsFirst } from './parents-first.js';
import { CALLER, MAX_CONTEXTUAL, chunked, identityTuples } from './check-tuples.js';
import { grantTuplesOfRoles, grantsOn, rolesOf } from './grant-reads.js';

/** Past this many grants of one role on one kind, reading them costs more than checking a listing's tables. */
const GRANTED_OBJECTS_MAX = 5_000;
const GRANTED_OBJECTS_MAX_MEMBERS = 16;

/** Authorizer.check: one answer per query. */
export async function check(fga: FgaClient, tenant: string, members: readonly Member[], queries: readonly AccessQuery[], memo?: CheckMemo): Promise<boolean[]> {
  if (members.length === 0 || queries.length === 0) return queries.map(() => false);
  const granted = () => grantedObjects(fga, tenant, members);
  const shared = memo && (() => memo.remember(JSON.stringify(['granted', tenant, members]), granted));
  return decideParentsFirst(fga, identityTuples(tenant, members), queries, shared ?? granted);
}

/**
 * The tables and views any role of the members holds a grant on (their check objects), for parents-first.ts (once per
 * listing walk: check's memo, catalog/access/check-memo.ts and grant-reads.ts); undefined when a role holds more than GRANTED_OBJECTS_MAX of
 * one kind, or the caller has more than GRANTED_OBJECTS_MAX_MEMBERS identities (then the tables are checked one by one).
 */
async function grantedObjects(fga: FgaClient, tenant: string, members: readonly Member[]): Promise<ReadonlySet<string> | undefined> {
  // One read per identity finds the roles: a caller in many IdP groups is cheaper to check table by table.
  if (members.length > GRANTED_OBJECTS_MAX_MEMBERS) return undefined;
  const tuples = await grantTuplesOfRoles(fga, tenant, await rolesOf(fga, tenant, members), ['table', 'view'], GRANTED_OBJECTS_MAX);
  return tuples && new Set(tuples.map((t) => t.key.object));
}

/** Authorizer.isAdmin: whether any of the members holds the tenant's admin role. */
export async function isAdmin(fga: FgaClient, tenant: string, members: readonly Member[]): Promise<boolean> {
  if (members.length === 0) return false;
  const object = roleObject(tenant, ADMIN_ROLE_NAME);
  const items = chunked(identityTuples(tenant, members), MAX_CONTEXTUAL).map((chunk) => ({
    user: CALLER,
    relation: ASSIGNEE_RELATION,
    object,
    contextual: chunk,
  }));
  if (items.length === 1) return fga.check(items[0]!);
  return (await fga.batchCheck(items)).some(Boolean);
}

/** Authorizer.explain: the grants on the path, held by the members' roles, that confer the privilege. */
export async function explain(fga: FgaClient, tenant: string, members: readonly Member[], privilege: Privilege, path: SecurablePath): Promise<GrantRecord[]> {
  const roles = await rolesOf(fga, tenant, members);
  if (roles.length === 0) return [];
  const conferring = new Set(grantsConferring(privilege));
  return (await grantsOn(fga, tenant, roles, pathElements(path))).filter((g) => conferring.has(g.privilege));
}
