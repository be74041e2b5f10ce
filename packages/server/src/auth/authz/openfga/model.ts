/**
 * The OpenFGA authorization model of Lakegate, generated from the rules of
 * catalog/access/privileges.ts (where each privilege may be granted, which
 * privileges imply which) so that the two adapters cannot drift apart; the
 * readable DSL of it is checked in as lakegate.fga (a unit test holds the
 * file to this generator), and the decision suite holds OpenFGA's answers
 * to the built-in authorizer's.
 *
 * Shape:
 * - `subject` is whoever asks; a check names `subject:caller` and says in
 *   contextual tuples which identities it has (its principal, or its user
 *   and each IdP group of its token), so nothing about a caller is stored.
 * - `principal`, `user`, `group`: identities, scoped to a tenant by their id,
 *   that `role#assignee` tuples name (a role of one tenant can only ever be
 *   reached from identities of that tenant).
 * - `warehouse` → `namespace` (→ `namespace` …) → `table` / `view`: one
 *   relation per privilege (':' and '-' become '_'), directly assignable to
 *   `role#assignee` where the privilege is grantable on that kind, implied by
 *   the privileges that confer it, and inherited from `parent`. The parents
 *   are contextual tuples of each check (the catalog knows every object's
 *   ancestry), so creating or dropping objects writes nothing to OpenFGA.
 * - `any_privilege`: holds at least one privilege here or above (what the
 *   port calls "any").
 * - `located_in`: the warehouse of a namespace, table or view that holds a
 *   grant, written with the grant so grants can be listed by warehouse; no
 *   permission derives from it.
 */
import { PRIVILEGES, type Privilege, type SecurableKind, grantableOn, grantsConferring } from '../../../catalog/access/privileges.js';

export const ANY_RELATION = 'any_privilege';
export const PARENT_RELATION = 'parent';
export const LOCATED_IN_RELATION = 'located_in';
export const ASSIGNEE_RELATION = 'assignee';
export const SUBJECT_TYPE = 'subject';

/** 'table:read-data' → 'table_read_data'. */
export const relationOf = (privilege: Privilege): string => privilege.replace(/[:-]/g, '_');

const RELATION_TO_PRIVILEGE = new Map<string, Privilege>(PRIVILEGES.map((p) => [relationOf(p), p]));
/** The privilege a grant relation stands for; undefined for structural relations. */
export const privilegeOfRelation = (relation: string): Privilege | undefined => RELATION_TO_PRIVILEGE.get(relation);

export const SECURABLE_KINDS: readonly SecurableKind[] = ['warehouse', 'namespace', 'table', 'view'];
const PARENTS: Record<SecurableKind, readonly SecurableKind[]> = {
  warehouse: [],
  namespace: ['warehouse', 'namespace'],
  table: ['namespace', 'warehouse'],
  view: ['namespace', 'warehouse'],
};

// --- JSON model types (the subset of OpenFGA's AuthorizationModel used here) ---

export type Userset =
  | { this: Record<string, never> }
  | { computedUserset: { relation: string } }
  | { tupleToUserset: { tupleset: { relation: string }; computedUserset: { relation: string } } }
  | { union: { child: Userset[] } };
export interface RelationReference {
  type: string;
  relation?: string;
}
export interface TypeDefinition {
  type: string;
  relations?: Record<string, Userset>;
  metadata?: { relations: Record<string, { directly_related_user_types: RelationReference[] }> };
}
export interface AuthorizationModel {
  schema_version: '1.1';
  type_definitions: TypeDefinition[];
}

const direct: Userset = { this: {} };
const computed = (relation: string): Userset => ({ computedUserset: { relation } });
const fromParent = (relation: string): Userset => ({ tupleToUserset: { tupleset: { relation: PARENT_RELATION }, computedUserset: { relation } } });
const union = (children: Userset[]): Userset => (children.length === 1 ? children[0]! : { union: { child: children } });
const ROLE_ASSIGNEES: RelationReference[] = [{ type: 'role', relation: ASSIGNEE_RELATION }];

const grantable = (p: Privilege, kind: SecurableKind) => grantableOn(p).includes(kind);
/** q confers p (q ≠ p). */
const confersOther = (q: Privilege, p: Privilege) => q !== p && grantsConferring(p).includes(q);

/**
 * The relation of privilege p on a securable kind: its direct grants there,
 * the least privileges grantable there that confer it (the others reach it
 * through those), and the same relation on the parent.
 */
function privilegeRelation(p: Privilege, kind: SecurableKind): Userset {
  const conferring = PRIVILEGES.filter((q) => confersOther(q, p) && grantable(q, kind));
  const least = conferring.filter((q) => !conferring.some((r) => r !== q && confersOther(q, r)));
  const children: Userset[] = [];
  if (grantable(p, kind)) children.push(direct);
  for (const q of least) children.push(computed(relationOf(q)));
  if (PARENTS[kind].length > 0) children.push(fromParent(relationOf(p)));
  return union(children);
}

/** Any privilege here or above: the privileges grantable here that confer no other grantable one (each covers those that confer it), and the parent's answer. */
function anyRelation(kind: SecurableKind): Userset {
  const here = PRIVILEGES.filter((p) => grantable(p, kind));
  const weakest = here.filter((p) => !here.some((q) => confersOther(p, q)));
  const children = weakest.map((p) => computed(relationOf(p)));
  if (PARENTS[kind].length > 0) children.push(fromParent(ANY_RELATION));
  return union(children);
}

function securableType(kind: SecurableKind): TypeDefinition {
  const relations: Record<string, Userset> = {};
  const meta: Record<string, { directly_related_user_types: RelationReference[] }> = {};
  if (PARENTS[kind].length > 0) {
    relations[PARENT_RELATION] = direct;
    meta[PARENT_RELATION] = { directly_related_user_types: PARENTS[kind].map((type) => ({ type })) };
    relations[LOCATED_IN_RELATION] = direct;
    meta[LOCATED_IN_RELATION] = { directly_related_user_types: [{ type: 'warehouse' }] };
  }
  for (const p of PRIVILEGES) {
    relations[relationOf(p)] = privilegeRelation(p, kind);
    meta[relationOf(p)] = { directly_related_user_types: grantable(p, kind) ? ROLE_ASSIGNEES : [] };
  }
  relations[ANY_RELATION] = anyRelation(kind);
  meta[ANY_RELATION] = { directly_related_user_types: [] };
  return { type: kind, relations, metadata: { relations: meta } };
}

function identityType(type: 'principal' | 'user' | 'group'): TypeDefinition {
  const relation = identityRelation(type);
  return { type, relations: { [relation]: direct }, metadata: { relations: { [relation]: { directly_related_user_types: [{ type: SUBJECT_TYPE }] } } } };
}

/** The relation through which a subject is an identity: `is` for principals and users, `member` for groups. */
export const identityRelation = (type: 'principal' | 'user' | 'group'): string => (type === 'group' ? 'member' : 'is');

/** The authorization model, as OpenFGA's WriteAuthorizationModel takes it. */
export function authorizationModel(): AuthorizationModel {
  return {
    schema_version: '1.1',
    type_definitions: [
      { type: SUBJECT_TYPE },
      identityType('principal'),
      identityType('user'),
      identityType('group'),
      {
        type: 'role',
        relations: { [ASSIGNEE_RELATION]: direct },
        metadata: {
          relations: {
            [ASSIGNEE_RELATION]: {
              directly_related_user_types: [
                { type: 'principal', relation: 'is' },
                { type: 'user', relation: 'is' },
                { type: 'group', relation: 'member' },
              ],
            },
          },
        },
      },
      ...SECURABLE_KINDS.map(securableType),
    ],
  };
}
