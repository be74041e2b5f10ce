/**
 * A stored policy's literals (a row filter's values, a mask's fixed value) are kept as written, and every read binds
 * them against the column's type of the day (follow.ts). A type change that Iceberg allows can change what a literal
 * that still binds means: a date column promoted to a timestamp (format v3) reads a filter's day number 19723
 * (2024-01-01) as 19723 microseconds after the epoch, so `d > 19723` would let a restricted reader see every row since
 * 1970. So a schema change (a commit, a register-table overwrite) that changes the type of a column a policy's literal
 * is compared with is refused (follow.ts), save the widenings that keep every literal's value: int to long, float
 * to double, a decimal's precision at the same scale.
 */
import type { IcebergType, Schema } from '../metadata/types.js';
import type { Policy } from '../ports/policies.js';
import { eachPredicate } from './filter-predicates.js';
import { fieldById } from './nested.js';

/** A type as one string without spaces ("decimal(9,2)"), a nested type by its kind. */
const typeName = (t: IcebergType): string => (typeof t === 'string' ? t.replace(/\s+/g, '') : t.type);

/** True when every literal of type `from` means the same value as a literal of type `to`. */
function keepsLiterals(from: IcebergType, to: IcebergType): boolean {
  const [a, b] = [typeName(from), typeName(to)];
  if (a === b) return true;
  if ((a === 'int' && b === 'long') || (a === 'float' && b === 'double')) return true;
  const scale = (t: string) => /^decimal\(\d+,(\d+)\)$/.exec(t)?.[1];
  return scale(a) !== undefined && scale(a) === scale(b);
}

/** The names a row filter compares with a literal (`value` or `values`), as written. */
function literalTerms(filter: unknown): Set<string> {
  const terms = new Set<string>();
  eachPredicate(filter, ({ term, literals }) => {
    if (term !== undefined && literals !== undefined) terms.add(term);
  });
  return terms;
}

/** The field ids a policy compares with a literal of its own (its filter's, as terms or else all, its fixed masks'). */
function literalFieldIds(p: Policy): number[] {
  const ids: number[] = [];
  if (p.filter !== undefined) {
    const terms = literalTerms(p.filter);
    if (p.filterTerms !== undefined) for (const t of p.filterTerms) if (terms.has(t.term)) ids.push(t.fieldId);
    if (p.filterTerms === undefined && terms.size > 0) ids.push(...(p.fieldIds ?? []));
  }
  for (const m of p.masks ?? []) if (m.action === 'mask-to-fixed-value') ids.push(m.fieldId);
  return ids;
}

/**
 * Why the change from schema `from` to schema `to` would change what one of the policy's literals means (a column it
 * compares a literal with changing its type other than by a widening), or undefined when it would not.
 */
export function literalTypeChange(p: Policy, from: Schema, to: Schema): string | undefined {
  for (const id of literalFieldIds(p)) {
    const [was, is] = [fieldById(from, id), fieldById(to, id)];
    if (was === undefined || is === undefined || keepsLiterals(was.type, is.type)) continue;
    return `its literal for '${is.name.slice(0, 120)}' (field id ${id}) was written for ${typeName(was.type)}, and would be read as ${typeName(is.type)}, another value`;
  }
  return undefined;
}
