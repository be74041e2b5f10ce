/**
 * The one walk of a row filter as written (the Iceberg REST expression JSON a policy stores): `and`/`or` (`left`,
 * `right`), `not` (`child`), and the predicates under them, unary (`is-null`, …), literal (`lt`, …, `value`) and set
 * (`in`, `not-in`, `values`). Every reader of a stored filter's terms and literals goes through it: the field ids a
 * new policy records (follow.ts filterTermsOf), a rename followed (renameTerms), the columns a literal is compared with
 * (literal-types.ts), a Lance policy's columns checked against a version (lance/native-fields.ts).
 *
 * A predicate is an object other than a connective or a constant (`true`, `false`) that has a `term`; its term names a
 * column as a string, a `reference` object's `term`, or a `transform` object's `term` (the column it transforms). What
 * is not an object (a boolean constant, a malformed child) has no predicates. It validates nothing: a stored filter
 * was bound (kit/expression.ts bindFilter, which also bounds its depth) when the policy was written. Pure.
 */

/** One predicate of a filter, as written. */
export interface FilterPredicate {
  /** The predicate's object, as written. */
  readonly node: Readonly<Record<string, unknown>>;
  /** The column its term names; undefined where the term is none of the three forms above. */
  readonly term: string | undefined;
  /** Where the term is a transform object: its transform (`bucket[16]`, `day`, …). */
  readonly transform: string | undefined;
  /** What it compares the term with: a set predicate's `values`, a literal predicate's `value` (as one); undefined where it writes neither (a unary predicate). */
  readonly literals: readonly unknown[] | undefined;
}

/** Calls `visit` with each predicate of the filter, left before right. */
export function eachPredicate(filter: unknown, visit: (p: FilterPredicate) => void): void {
  mapPredicates(filter, (p) => {
    visit(p);
    return p.node;
  });
}

/**
 * The filter with each predicate replaced by what `to` gives for it; connectives and constants as they are. A
 * connective none of whose children changed is the same object, so a walk that replaces nothing copies nothing.
 */
export function mapPredicates(filter: unknown, to: (p: FilterPredicate) => unknown): unknown {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return filter;
  const e = filter as Record<string, unknown>;
  if (e.type === 'and' || e.type === 'or') {
    const [left, right] = [mapPredicates(e.left, to), mapPredicates(e.right, to)];
    return left === e.left && right === e.right ? e : { ...e, left, right };
  }
  if (e.type === 'not') {
    const child = mapPredicates(e.child, to);
    return child === e.child ? e : { ...e, child };
  }
  if (e.type === 'true' || e.type === 'false' || !('term' in e)) return e;
  return to(predicateOf(e));
}

function predicateOf(e: Record<string, unknown>): FilterPredicate {
  const term = e.term;
  const object = typeof term === 'object' && term !== null ? (term as Record<string, unknown>) : undefined;
  const transform = object?.type === 'transform' && typeof object.transform === 'string' ? object.transform : undefined;
  const literals = 'values' in e ? (Array.isArray(e.values) ? e.values : [e.values]) : 'value' in e ? [e.value] : undefined;
  return { node: e, term: termName(term), transform, literals };
}

/** The column a term names: a string; a reference's `term`; a transform's `term` (itself a string or a reference). */
function termName(term: unknown, inTransform = false): string | undefined {
  if (typeof term === 'string') return term;
  if (typeof term !== 'object' || term === null) return undefined;
  const t = term as Record<string, unknown>;
  if (t.type === 'reference') return typeof t.term === 'string' ? t.term : undefined;
  return t.type === 'transform' && !inTransform ? termName(t.term, true) : undefined;
}

/** The filter with each term renamed (`renamed`: old name → new; a transform's column too), the rest of it, literals included, unchanged. */
export function renameTerms(filter: unknown, renamed: ReadonlyMap<string, string>): unknown {
  return mapPredicates(filter, ({ node, term }) => {
    const to = term === undefined ? undefined : renamed.get(term);
    return to === undefined || to === term ? node : { ...node, term: withName(node.term, to) };
  });
}

/** The term naming `name` instead, in the form it was written. */
function withName(term: unknown, name: string): unknown {
  if (typeof term !== 'object' || term === null) return name;
  const t = term as Record<string, unknown>;
  return { ...t, term: t.type === 'transform' ? withName(t.term, name) : name };
}
