/**
 * The tuples and keys OpenFGA checks are made of (openfga-access.ts): the caller's identities and the securable's
 * ancestry as contextual tuples, and the small orderings and chunkings of its reads.
 */
import type { Tuple, TupleKey } from '@openfga/sdk';
import { type Member, type SecurablePath, type SecurableRef, pathElements } from '../../../catalog/ports/access.js';
import { memberCheckObject, securableCheckObject } from './ids.js';
import { PARENT_RELATION, SUBJECT_TYPE, identityRelation } from './model.js';

/** OpenFGA's limit on contextual tuples per check. */
export const MAX_CONTEXTUAL = 100;
export const CALLER = `${SUBJECT_TYPE}:caller`;

export const refKey = (r: SecurableRef) => `${r.kind}\u001f${r.id}`;
export const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
export const timeOf = (t: Tuple): number => {
  const ms = Date.parse(t.timestamp);
  return Number.isFinite(ms) ? ms : 0;
};

/** The caller's identities as contextual tuples: subject:caller is each of them. */
export function identityTuples(tenant: string, members: readonly Member[]): TupleKey[] {
  const seen = new Set<string>();
  const out: TupleKey[] = [];
  for (const m of members) {
    const object = memberCheckObject(tenant, m);
    if (seen.has(object)) continue;
    seen.add(object);
    out.push({ user: CALLER, relation: identityRelation(m.kind), object });
  }
  return out;
}

/** The securable's ancestry as contextual tuples: each element's parent is the one before it. */
export function ancestryTuples(path: SecurablePath): TupleKey[] {
  const elements = pathElements(path).map(securableCheckObject);
  return elements.slice(1).map((object, i) => ({ user: elements[i]!, relation: PARENT_RELATION, object }));
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}
