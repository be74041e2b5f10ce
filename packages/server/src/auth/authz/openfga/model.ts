/**
 * The OpenFGA authorization model of Lakegate, generated from the rules of
 * catalog/privileges.ts (where each privilege may be granted, which
 * privileges imply which) so that the two adapters cannot drift apart; the
 * readable DSL of it is checked in as lakegate.fga (a unit test holds the
 * file to this generator), and the decision suite holds OpenFGA's answers
 * to the rules of privileges.ts, as it holds the built-in authorizer's.
 *
 * Shape:
 * - `subject` is whoever asks; a check names `subject:caller` and says in
 *   contextual tuples which identities it has (its principal, or its user
 *   and each IdP group of its token), so nothing about a caller is stored.
 * - `principal`, `user`, `group`: identities, scoped to a tenant by their id,
 *   that `role#assignee` tuples name (a role of one tenant can only ever be
 *   reached from identities of that tenant).
 * - `warehouse` → `namespace` (→ `namespace` …) → `table` / `view`: the
 *   grants are tuples of one relation per privilege grantable there, named
 *   after it (':' and '-' become '_': `table_read_data`), held by
 *   `role#assignee`. What a subject may do is `can_<privilege>`: any grant
 *   here of a privilege that confers it (the closure of the implications),
 *   or `can_<privilege>` on the `parent`. The parents are contextual tuples
 *   of each check (the catalog knows every object's ancestry), so creating
 *   or dropping objects writes nothing to OpenFGA. (Permissions that name
 *   only the grants of each level, rather than each other, keep a check
 *   one walk up the ancestry; letting `can_table_read_data` refer to
 *   `can_table_write_data` and so on made OpenFGA walk overlapping
 *   subtrees, and BatchCheck took about twice as long.)
 * - `can_any`: holds at least one privilege here or above (what the port
 *   calls "any").
 * - `located_in`: the warehouse of a namespace, table or view that holds a
 *   grant, written with the grant so grants can be listed by warehouse; no
 *   permission derives from it.
 */
import { PRIVILEGES, type Privilege, type SecurableKind, grantableOn, grantsConferring } from '../../../catalog/privileges.js';

export const ANY_RELATION = 'can_any';
export const PARENT_RELATION = 'parent';
export const LOCATED_IN_RELATION = 'located_in';
export const ASSIGNEE_RELATION = 'assignee';
export const SUBJECT_TYPE = 'subject';

/** The relation of a grant: 'table:read-data' → 'table_read_data'. */
export const relationOf = (privilege: Privilege): string => privilege.replace(/[:-]/g, '_');
/** The relation a check asks: 'table:read-data' → 'can_table_read_data'. */
export const permissionOf = (privilege: Privilege): string => `can_${relationOf(privilege)}`;

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

/** can_<p> on a kind: a grant here of any privilege that confers p, or can_<p> on the parent. */
function permission(p: Privilege, kind: SecurableKind): Userset {
  const children = grantsConferring(p)
    .filter((q) => grantable(q, kind))
    .map((q) => computed(relationOf(q)));
  if (PARENTS[kind].length > 0) children.push(fromParent(permissionOf(p)));
  return union(children);
}

/** can_any on a kind: any grant here, or can_any on the parent. */
function anyPermission(kind: SecurableKind): Userset {
  const children = PRIVILEGES.filter((p) => grantable(p, kind)).map((p) => computed(relationOf(p)));
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
  for (const p of PRIVILEGES.filter((q) => grantable(q, kind))) {
    relations[relationOf(p)] = direct;
    meta[relationOf(p)] = { directly_related_user_types: ROLE_ASSIGNEES };
  }
  for (const p of PRIVILEGES) {
    relations[permissionOf(p)] = permission(p, kind);
    meta[permissionOf(p)] = { directly_related_user_types: [] };
  }
  relations[ANY_RELATION] = anyPermission(kind);
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
