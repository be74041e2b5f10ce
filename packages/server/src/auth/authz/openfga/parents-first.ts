/**
 * The decisions of one Authorizer.check call over OpenFGA, parents first.
 *
 * Lakegate's model is monotonic downwards: `can_<p>` (and `can_any`) on a namespace, table or view is the grants
 * held there OR the same permission on its parent (model.ts, `permission` and `anyPermission`: unions only, no
 * exclusion). So when several queries ask the same permission on children of one parent (a listing chunk, or
 * Trino's batched filtering of a namespace's tables), one check on the parent answers all of them if it allows;
 * only the children of a parent that denies are checked, and of those tables and views only the ones some role of
 * the caller holds a grant on (`granted`: the roles' grant tuples, read from OpenFGA): under a parent that denies,
 * a table without such a tuple has nothing that could allow it (grants are the only direct relations, held by
 * `role#assignee`, and roles hold no roles). A caller granted a namespace (or the warehouse) thus costs one check
 * per namespace instead of one per table, and a caller with grants on single tables one check per granted table
 * asked, plus its roles' reads, instead of one per table. A listing passes `granted` through its memo
 * (catalog/access/check-memo.ts), so its chunks share one read of the grants, and its next page requests too within
 * the authorization cache's bound (catalog/access/grant-reads.ts).
 */
import type { TupleKey } from '@openfga/sdk';
import { type AccessQuery, type SecurablePath, pathElements } from '../../../catalog/ports/access.js';
import type { CheckItem } from './fga-client.js';
import { securableCheckObject } from './ids.js';
import { ANY_RELATION, permissionOf } from './model.js';
import { CALLER, MAX_CONTEXTUAL, ancestryTuples, chunked, refKey } from './check-tuples.js';

/** A parent is checked first when at least this many distinct queries ask one permission on its children. */
export const PARENT_FIRST_MIN_CHILDREN = 4;

export interface BatchChecker {
  batchCheck(items: readonly CheckItem[]): Promise<boolean[]>;
}

interface Asked {
  relation: string;
  path: SecurablePath;
}

const pathKey = (path: SecurablePath): string => pathElements(path).map(refKey).join('\u001e');

/** The securable one level up: a table's or view's namespace, a namespace's parent namespace or warehouse. */
function parentOf(path: SecurablePath): SecurablePath | undefined {
  if (path.object) return { warehouse: path.warehouse, namespaces: path.namespaces };
  if (path.namespaces.length > 0) return { warehouse: path.warehouse, namespaces: path.namespaces.slice(0, -1) };
  return undefined;
}

/** The check items of one BatchCheck round; each question may take several (identities beyond one item's limit). */
class Round {
  readonly items: CheckItem[] = [];
  constructor(private readonly identities: readonly TupleKey[]) {}

  add(asked: Asked): number[] {
    const ancestry = ancestryTuples(asked.path);
    const object = securableCheckObject(pathElements(asked.path).at(-1)!);
    const own: number[] = [];
    for (const chunk of chunked(this.identities, MAX_CONTEXTUAL - ancestry.length)) {
      own.push(this.items.length);
      this.items.push({ user: CALLER, relation: asked.relation, object, contextual: [...chunk, ...ancestry] });
    }
    return own;
  }
}

/** The check objects of the tables and views the caller's roles hold grants on; undefined: unknown (check each). */
export type GrantedObjects = () => Promise<ReadonlySet<string> | undefined>;

export async function decideParentsFirst(
  fga: BatchChecker,
  identities: readonly TupleKey[],
  queries: readonly AccessQuery[],
  granted?: GrantedObjects,
): Promise<boolean[]> {
  const distinct = new Map<string, number>();
  const asked: Asked[] = [];
  const answerOf: number[] = [];
  for (const q of queries) {
    const relation = q.privilege === 'any' ? ANY_RELATION : permissionOf(q.privilege);
    const key = `${relation}\u001e${pathKey(q.path)}`;
    let index = distinct.get(key);
    if (index === undefined) {
      index = asked.length;
      distinct.set(key, index);
      asked.push({ relation, path: q.path });
    }
    answerOf.push(index);
  }
  const answers = new Array<boolean>(asked.length).fill(false);
  const decided = new Array<boolean>(asked.length).fill(false);

  const siblings = new Map<string, { parent: Asked; children: number[] }>();
  asked.forEach((a, i) => {
    const parent = parentOf(a.path);
    if (!parent) return;
    const key = `${a.relation}\u001e${pathKey(parent)}`;
    const group = siblings.get(key);
    if (group) group.children.push(i);
    else siblings.set(key, { parent: { relation: a.relation, path: parent }, children: [i] });
  });
  const first = new Round(identities);
  const parents: { own: number[]; children: number[] }[] = [];
  for (const { parent, children } of siblings.values()) if (children.length >= PARENT_FIRST_MIN_CHILDREN) parents.push({ own: first.add(parent), children });
  if (first.items.length > 0) {
    const results = await fga.batchCheck(first.items);
    const denied: number[] = [];
    for (const { own, children } of parents) {
      const allowed = own.some((i) => results[i]);
      for (const child of children) {
        answers[child] = allowed;
        decided[child] = allowed;
      }
      if (!allowed) denied.push(...children.filter((child) => asked[child]!.path.object !== undefined));
    }
    // Under a parent that denies, a table or view is allowed only by a grant on itself.
    const objects = denied.length > 0 && granted ? await granted() : undefined;
    if (objects) for (const child of denied) if (!objects.has(securableCheckObject(asked[child]!.path.object!))) decided[child] = true;
  }

  const second = new Round(identities);
  const rest: { own: number[]; index: number }[] = [];
  asked.forEach((a, index) => {
    if (!decided[index]) rest.push({ own: second.add(a), index });
  });
  if (second.items.length > 0) {
    const results = await fga.batchCheck(second.items);
    for (const { own, index } of rest) answers[index] = own.some((i) => results[i]);
  }
  return answerOf.map((i) => answers[i]!);
}
