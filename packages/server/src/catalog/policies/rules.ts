/**
 * What a policy may say about a table, checked against the table's current schema before anything is stored: a row
 * filter is the Iceberg REST expression JSON (the planning filter's one rule, kit/expression.ts: an unknown
 * column or a literal of the wrong type is 400), and each mask's action must suit its column's type. A policy that
 * could not be enforced as written is refused, never stored to be skipped later.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { Schema } from '../metadata/types.js';
import { type BoundExpression, bindFilter, boundFieldIds } from '../kit/expression.js';
import { unstorableLiteral } from '../kit/literal.js';
import { stringifyJson } from '../json.js';
import { type MaskedField, checkLance, checkNested, fieldById, fieldByName } from './nested.js';
import { type ColumnMask, MASK_ACTIONS, type MaskAction, type Policy } from '../ports/policies.js';

const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);

/** The column types each action applies to (undefined: any primitive type). */
const APPLIES_TO: Record<MaskAction, ReadonlySet<string> | undefined> = {
  'replace-with-null': undefined,
  'mask-to-fixed-value': undefined,
  'sha-256-query-local': new Set(['string']),
  'sha-256-global': new Set(['string']),
  'mask-alphanum': new Set(['string']),
  'truncate-to-year': TEMPORAL,
  'truncate-to-month': TEMPORAL,
  'show-first-4': new Set(['string']),
  'show-last-4': new Set(['string']),
};

/**
 * How much each action reveals, least first: when the caller's roles mask one column differently, the least
 * revealing mask wins (docs/authorization.md, "Row filters and column masks").
 */
export const REVEALING_ORDER: readonly MaskAction[] = MASK_ACTIONS;

export interface MaskInput {
  column?: string | undefined;
  'field-id'?: number | undefined;
  action: string;
  value?: unknown;
}

/**
 * The row filter bound to the schema: the field ids it refers to (sorted, distinct). `storing`: a filter about to be
 * stored, whose every literal must also be one a policy keeps (kit/literal.ts, unstorableLiteral).
 */
export function checkRowFilter(filter: unknown, schema: Schema, storing = false): number[] {
  if (filter === undefined) throw validation('a row-filter policy needs "filter", an Iceberg expression');
  const bound = bindFilter(filter, schema, true);
  if (storing) checkStorable(bound);
  return [...boundFieldIds(bound)].sort((a, b) => a - b);
}

/** A bound literal as the refusal names it (NaN and the infinities as such: JSON would write them as null). */
const shown = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : stringifyJson(v)?.slice(0, 64));

function checkStorable(e: BoundExpression): void {
  if (e.op === 'and' || e.op === 'or') {
    checkStorable(e.left);
    checkStorable(e.right);
  } else if (e.op === 'not') checkStorable(e.child);
  else if ('value' in e || 'values' in e) {
    for (const v of 'value' in e ? [e.value] : e.values) {
      const why = unstorableLiteral(v, e.field);
      const type = String(e.field.type);
      if (why !== undefined)
        throw validation(`filter: ${shown(v)} is not a valid ${type} literal for column '${e.field.name.slice(0, 256)}' (${type}): ${why}`);
    }
  }
}

export interface MaskOptions {
  /**
   * A Lance table's rules (nested.ts, checkLance): a whole list (a vector) or map masked by `replace-with-null` only, a
   * list's elements and a map's values one by one, never a whole struct nor a vector's elements one by one.
   * Otherwise (Iceberg tables, views) a whole list, map or struct column may be nulled too (nested.ts).
   */
  wholeLists?: boolean;
  /** Masks about to be stored: a fixed value must also be one a policy keeps (kit/literal.ts, unstorableLiteral). */
  storing?: boolean;
}

/** Each mask bound to a column of the schema, its action suited to the column's type; one mask per column. */
export function checkMasks(masks: readonly MaskInput[] | undefined, schema: Schema, options: MaskOptions = {}): ColumnMask[] {
  if (masks === undefined || masks.length === 0) throw validation('a column-mask policy needs "masks", one or more');
  const seen = new Set<number>();
  return masks.map((m, i) => {
    const field = columnOf(m, schema, i);
    if (seen.has(field.id)) throw validation(`masks[${i}]: column '${field.name}' is masked twice in this policy`);
    seen.add(field.id);
    if (!(MASK_ACTIONS as readonly string[]).includes(m.action))
      throw validation(`masks[${i}]: unknown action ${JSON.stringify(m.action).slice(0, 64)}; known: ${MASK_ACTIONS.join(', ')}`);
    const action = m.action as MaskAction;
    if (options.wholeLists) checkLance(field, action, i);
    else checkNested(field, action, i);
    const types = APPLIES_TO[action];
    if (types !== undefined && !types.has(String(field.type))) {
      throw validation(`masks[${i}]: ${action} applies to ${[...types].join(', ')} columns, not to '${field.name}' (${String(field.type)})`);
    }
    if (action === 'replace-with-null' && field.required)
      throw validation(`masks[${i}]: replace-with-null cannot apply to the required ${field.what} '${field.name}'`);
    if (action === 'mask-to-fixed-value') {
      if (m.value === undefined) throw validation(`masks[${i}]: mask-to-fixed-value needs "value"`);
      checkLiteral(field, m.value, i, options.storing === true);
      return { fieldId: field.id, column: field.name, action, value: m.value };
    }
    if (m.value !== undefined) throw validation(`masks[${i}]: "value" is for mask-to-fixed-value only`);
    return { fieldId: field.id, column: field.name, action };
  });
}

/** The column a mask names, by field id or by (dotted) name, exactly one of them (its type kept: checkMasks decides). */
function columnOf(m: MaskInput, schema: Schema, i: number): MaskedField {
  if ((m.column === undefined) === (m['field-id'] === undefined)) throw validation(`masks[${i}]: name the column by "column" or "field-id", one of them`);
  let field: MaskedField | undefined;
  try {
    field = m.column !== undefined ? fieldByName(schema, m.column) : fieldById(schema, m['field-id']!);
  } catch (e) {
    throw e instanceof CatalogError ? validation(`masks[${i}]: ${e.message}`) : e;
  }
  if (!field)
    throw validation(`masks[${i}]: cannot find ${m.column !== undefined ? `column '${m.column.slice(0, 256)}'` : `field id ${m['field-id']}`} in the schema`);
  return field;
}

/** A fixed value must be a literal of the masked field's type: the filter's literal rule says so. */
function checkLiteral(field: MaskedField, value: unknown, i: number, storing: boolean): void {
  let why: string | undefined;
  try {
    bindFilter(
      { type: 'eq', term: 'v', value },
      { type: 'struct', 'schema-id': 0, fields: [{ id: field.id, name: 'v', type: field.type, required: false }] },
      true,
    );
    if (storing) why = unstorableLiteral(value, field);
  } catch {
    why = '';
  }
  if (why !== undefined)
    throw validation(
      `masks[${i}]: mask-to-fixed-value: ${stringifyJson(value)?.slice(0, 64)} is not a valid ${String(field.type)} value for '${field.name}'${why && `: ${why}`}`,
    );
}
